// lvm2 before 2.02.158 prints reports as text: `--noheadings --separator '#'`. How this series
// asks for them and reads them (lvm2-2.02.98 is the first series; later ones replace this).
import type { ParseResult, Row } from '../lib/lvm-report.js';

/**
 * The separator of text reports. LVM names (VG, LV) are limited to [A-Za-z0-9+_.-], UUIDs to
 * [A-Za-z0-9-], attributes and numbers to their own alphabets, so '#' can only occur in the few
 * free-form fields (device paths, tags). Every report we run has at most one such field, and the
 * parser gives it whatever is left once every other field has taken exactly one part.
 * (--nameprefixes --unquoted was considered: self-describing, but values are then delimited by
 * spaces and quotes; and '#' is the form shared/recordings ran, so goldens replay it exactly.)
 */
export const SEPARATOR = '#';

export const SEPARATOR_FORMAT: readonly string[] = ['--noheadings', '--separator', SEPARATOR];

/** The one field of each report that may hold any character (and so the separator). */
export const FREE_FORM_FIELD: Record<string, string> = {
  pv: 'pv_name',
  lv: 'lv_tags'
};

/**
 * Rows of a `--noheadings --separator '#'` report. Each row is one line, indented by lvm2;
 * every field but the report's free-form one (FREE_FORM_FIELD) takes exactly one part, and the
 * free-form field takes the rest, separators included. Lines with too few parts are not rows
 * (a warning printed on stdout) and are skipped.
 */
export function parseSeparatorReport(stdout: string, fields: readonly string[], freeForm?: string): ParseResult {
  const free = freeForm === undefined ? -1 : fields.indexOf(freeForm);
  const rows: Row[] = [];
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/^\s+/, '').replace(/\r$/, '');
    if (line === '') continue;
    const parts = line.split(SEPARATOR);
    if (parts.length < fields.length) continue;
    if (parts.length > fields.length && free < 0) continue;
    const extra = parts.length - fields.length;
    const row: Row = {};
    let p = 0;
    fields.forEach((field, i) => {
      if (i === free) {
        row[field] = parts.slice(p, p + extra + 1).join(SEPARATOR);
        p += extra + 1;
      } else {
        row[field] = parts[p] ?? '';
        p += 1;
      }
    });
    rows.push(row);
  }
  return { ok: true, rows };
}
