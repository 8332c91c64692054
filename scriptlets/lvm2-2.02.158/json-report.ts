// lvm2 2.02.158 added `--reportformat json` (WHATS_NEW 2.02.158): how this series and the
// later ones ask for reports and read them. Values are strings with "json" and may be numbers or
// null with "json_std" (2.03.17 on); both read the same here.
import type { ReportKind } from '../lib/lvm.js';
import type { ParseResult, Row } from '../lib/lvm-report.js';

export const JSON_FORMAT: readonly string[] = ['--reportformat', 'json'];

/** The JSON document in a report's stdout, tolerating lines that are not JSON around or inside it. */
export function extractJson(stdout: string): unknown {
  const whole = stdout.trim();
  if (whole === '') return undefined;
  try {
    return JSON.parse(whole);
  } catch {
    // Keep only the lines a JSON report is made of: structure and "key": value lines.
    const kept = stdout
      .split('\n')
      .filter((l) => /^\s*[[\]{}"]/.test(l))
      .join('\n');
    try {
      return JSON.parse(kept);
    } catch {
      return undefined;
    }
  }
}

/**
 * Rows of a `--reportformat json` report: {"report": [{"lv": [{...}, ...]}, ...]} (with a
 * "log" array beside "report" when log/report_command_log is on, which is ignored). Values are
 * strings with "json" (2.02.158 on) and may be numbers or null with "json_std" (2.03.17 on):
 * every value is turned into its string form, null into ''.
 */
export function parseJsonReport(stdout: string, kind: ReportKind): ParseResult {
  const doc = extractJson(stdout);
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { report?: unknown }).report)) {
    return { ok: false, problem: 'no JSON report ({"report": [...]}) on stdout' };
  }
  const rows: Row[] = [];
  for (const section of (doc as { report: unknown[] }).report) {
    if (typeof section !== 'object' || section === null) continue;
    const list = (section as Record<string, unknown>)[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) return { ok: false, problem: `"${kind}" in the JSON report is not an array` };
    for (const item of list) {
      if (typeof item !== 'object' || item === null) return { ok: false, problem: `a "${kind}" entry is not an object` };
      const row: Row = {};
      for (const [k, v] of Object.entries(item as Record<string, unknown>)) {
        row[k] = v === null || v === undefined ? '' : String(v);
      }
      rows.push(row);
    }
  }
  return { ok: true, rows };
}

/** A JSON report's rows, refused when an entry lacks a field that was asked for. */
export function parseJsonReportFields(kind: ReportKind, fields: readonly string[], stdout: string): ParseResult {
  const r = parseJsonReport(stdout, kind);
  if (!r.ok) return r;
  for (const row of r.rows) {
    for (const f of fields) if (!(f in row)) return { ok: false, problem: `field ${f} missing from a "${kind}" entry` };
  }
  return r;
}
