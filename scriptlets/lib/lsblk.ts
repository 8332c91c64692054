// Pure helpers for lsblk (util-linux) output, shared by the lsblk-* scriptlets. No I/O here: every
// function takes the text lsblk printed and returns values or a parse error.
//
// The three output forms the scriptlets read:
// - `-P` (--pairs, util-linux 2.20+): one device per line, `KEY="value"` separated by one space,
//   flat (children follow their parent, no tree).
//   From 2.2x on values are escaped the way libsmartcols/tt write them: `"`, `\`, `$`, '`' and
//   every byte that is not printable ASCII become `\xHH` (so `é` is `\xc3\xa9`); a space stays a
//   space. The first -P releases printed values unescaped, so a value may also hold a literal `"`
//   or backslash; the parser below finds the end of a value by the next expected key, not by the
//   next quote, and reads both forms.
// - `--json` 2.27..2.32: `{"blockdevices": [...]}` with every value a string or null.
// - `--json` 2.33+: the same tree with typed values (numbers, booleans, null).
import type { HostVolume } from '../../runner/contracts/generated.js';
import { done, fail } from '../../runner/scriptlet/api.js';
import type { CommandResult, ScriptletContext, ScriptletError, ScriptletResult } from '../../runner/scriptlet/api.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const okv = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(message: string): Parsed<T> => ({ ok: false, message });

// ---------------------------------------------------------------------------------------------
// Escapes

const utf8 = new TextDecoder('utf-8');

/**
 * Undo lsblk's `\xHH` escapes. Runs of escaped bytes are decoded together as UTF-8 (lsblk escapes
 * a multibyte character byte by byte); text that was not escaped is kept as it is. A backslash not
 * followed by two hex digits is a literal backslash (older releases did not escape).
 */
export function decodeLsblkEscapes(s: string): string {
  if (!s.includes('\\x')) return s;
  let out = '';
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) out += utf8.decode(Uint8Array.from(bytes));
    bytes = [];
  };
  let i = 0;
  while (i < s.length) {
    if (s[i] === '\\' && s[i + 1] === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
      bytes.push(Number.parseInt(s.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      flush();
      out += s[i];
      i += 1;
    }
  }
  flush();
  return out;
}

// ---------------------------------------------------------------------------------------------
// -P (pairs)

/**
 * Parse `lsblk -P -o K1,K2,...` output. `keys` are the column names as lsblk prints them (the -o
 * list, upper case, in order). Every record must carry exactly these keys in this order; a value
 * ends where `" NEXTKEY="` (or, for the last key, `"` and the end of the line before the next
 * record) begins, so an unescaped quote inside a value cannot cut it short.
 */
export function parsePairs(stdout: string, keys: readonly string[]): Parsed<Record<string, string>[]> {
  if (keys.length === 0) return bad('no columns requested');
  const rows: Record<string, string>[] = [];
  const text = stdout;
  const first = `${keys[0]}="`;
  let pos = 0;
  const atRecordEnd = (idx: number): number | null => {
    // idx points at the closing quote of the last value. Returns the position after the record.
    if (idx === text.length - 1) return text.length;
    if (text[idx + 1] !== '\n') return null;
    const next = idx + 2;
    if (next === text.length) return next;
    return text.startsWith(first, next) ? next : null;
  };
  while (pos < text.length) {
    const row: Record<string, string> = {};
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as string;
      const open = `${key}="`;
      if (!text.startsWith(open, pos)) {
        const line = text.slice(pos, text.indexOf('\n', pos) === -1 ? undefined : text.indexOf('\n', pos));
        return bad(`expected ${key}="..." at offset ${pos} in: ${line.slice(0, 200)}`);
      }
      const start = pos + open.length;
      let end = -1;
      let after = -1;
      if (k < keys.length - 1) {
        const sep = `" ${keys[k + 1]}="`;
        end = text.indexOf(sep, start);
        if (end !== -1) after = end + 2;
      } else {
        let from = start;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) break;
          const next = atRecordEnd(q);
          if (next !== null) {
            end = q;
            after = next;
            break;
          }
          from = q + 1;
        }
      }
      if (end === -1) {
        return bad(
          k < keys.length - 1
            ? `${key}="..." at offset ${pos} is not followed by ${keys[k + 1]}="..."`
            : `unterminated value of ${key} at offset ${start}`
        );
      }
      const rawValue = text.slice(start, end);
      // Another KEY=" inside a value means a column we did not ask for (a different -o list or
      // lsblk release); quotes in escaped output are always \x22, in unescaped output a quote
      // followed by a space and KEY=" does not happen in real names or paths.
      const stray = /" ([A-Z][A-Z0-9_:%.-]*)="/.exec(rawValue);
      if (stray) return bad(`unexpected column ${stray[1]} inside the value of ${key} at offset ${start}`);
      row[key] = decodeLsblkEscapes(rawValue);
      pos = after;
    }
    rows.push(row);
  }
  return okv(rows);
}

// ---------------------------------------------------------------------------------------------
// Value conversions

/** A size in bytes from lsblk --bytes: a JSON number or a decimal string; empty/null means 0. */
export function toBytes(v: unknown, what: string): Parsed<number> {
  if (v === null || v === undefined || v === '') return okv(0);
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\d+$/.test(v.trim())) n = Number(v.trim());
  else return bad(`${what}: size ${JSON.stringify(v)} is not a whole number of bytes`);
  if (!Number.isSafeInteger(n) || n < 0) return bad(`${what}: size ${String(v)} is out of range`);
  return okv(n);
}

/** RO/RM-style flags: typed booleans (2.33+) or "0"/"1" strings (older JSON and -P). */
export function toFlag(v: unknown, what: string): Parsed<boolean | undefined> {
  if (v === null || v === undefined || v === '') return okv(undefined);
  if (v === true || v === '1' || v === 1) return okv(true);
  if (v === false || v === '0' || v === 0) return okv(false);
  return bad(`${what}: flag ${JSON.stringify(v)} is not 0/1 or a boolean`);
}

/** Optional text column: null/empty means absent. */
export function toText(v: unknown, what: string): Parsed<string | undefined> {
  if (v === null || v === undefined || v === '') return okv(undefined);
  if (typeof v === 'string') return okv(v);
  return bad(`${what}: expected text, got ${JSON.stringify(v)}`);
}

// ---------------------------------------------------------------------------------------------
// Device paths for releases without the PATH column (before 2.33)

/**
 * Device-mapper TYPE values: lsblk reports a dm device's type as the lower-cased prefix of its
 * DM UUID (LVM-, CRYPT-, MPATH-, DMRAID-) or "dm" when there is none. Their NAME is the DM name,
 * whose node is /dev/mapper/NAME.
 */
export const DM_TYPES: ReadonlySet<string> = new Set(['lvm', 'crypt', 'mpath', 'dmraid', 'dm']);

/**
 * The device node as lsblk itself builds it (its get_device_path()): a device-mapper device is
 * /dev/mapper/<dm name>, anything else /dev/<kernel name> with sysfs' "!" turned back into "/"
 * (cciss!c0d0 is /dev/cciss/c0d0). `kname` is known from the KNAME column; without it a DM device
 * is recognised by its TYPE (see DM_TYPES).
 */
export function devicePath(name: string, opts: { kname?: string | undefined; type?: string | undefined }): string {
  const isDm = opts.kname !== undefined ? opts.kname.startsWith('dm-') : opts.type !== undefined && DM_TYPES.has(opts.type);
  if (isDm) return `/dev/mapper/${name}`;
  return `/dev/${(opts.kname ?? name).replace(/!/g, '/')}`;
}

// ---------------------------------------------------------------------------------------------
// Building HostVolume lists

function volume(v: {
  name: string;
  path: string;
  type: string;
  size: number;
  fstype?: string | undefined;
  mountpoint?: string | undefined;
  parent?: string | undefined;
  readOnly?: boolean | undefined;
}): HostVolume {
  const out: HostVolume = { name: v.name, path: v.path, type: v.type, size: v.size };
  if (v.fstype !== undefined) out.fstype = v.fstype;
  if (v.mountpoint !== undefined) out.mountpoint = v.mountpoint;
  if (v.parent !== undefined) out.parent = v.parent;
  if (v.readOnly !== undefined) out.readOnly = v.readOnly;
  return out;
}

/**
 * A device under several parents (an LV spanning two PVs, a RAID member set) appears once under
 * each of them in lsblk's tree and pairs output. Host volumes are listed once, by path: the first
 * occurrence wins, so `parent` is the first parent lsblk printed.
 */
function dedupe(list: HostVolume[]): HostVolume[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    if (seen.has(v.path)) return false;
    seen.add(v.path);
    return true;
  });
}

/** How a scriptlet series reads one JSON node. */
export interface JsonSeries {
  /** PATH column present (2.33+); otherwise the path is built from NAME and TYPE. */
  pathColumn: boolean;
}

/**
 * Parse `lsblk --json --bytes -o ...` output (tree form, with `children`) into host volumes,
 * depth first, `parent` set to the enclosing device's NAME. Reads the columns it knows (name,
 * path, size, type, fstype, mountpoint, ro) when present; any others are ignored.
 */
export function parseJsonVolumes(stdout: string, series: JsonSeries): Parsed<HostVolume[]> {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch (e) {
    return bad(`output is not JSON: ${(e as Error).message}`);
  }
  const top = (doc as { blockdevices?: unknown } | null)?.blockdevices;
  if (!Array.isArray(top)) return bad('output has no "blockdevices" array');
  const out: HostVolume[] = [];
  const walk = (nodes: unknown[], parent: string | undefined, where: string): string | null => {
    for (const [i, node] of nodes.entries()) {
      const at = `${where}[${i}]`;
      if (typeof node !== 'object' || node === null || Array.isArray(node)) return `${at} is not an object`;
      const n = node as Record<string, unknown>;
      if (typeof n.name !== 'string' || n.name === '') return `${at} has no name`;
      const name = n.name;
      const type = toText(n.type, `${name} type`);
      if (!type.ok) return type.message;
      if (type.value === undefined) return `${name} has no type`;
      const size = toBytes(n.size, name);
      if (!size.ok) return size.message;
      let path: string;
      if (series.pathColumn) {
        const p = toText(n.path, `${name} path`);
        if (!p.ok) return p.message;
        if (p.value === undefined) return `${name} has no path`;
        path = p.value;
      } else {
        path = devicePath(name, { type: type.value });
      }
      const fstype = toText(n.fstype, `${name} fstype`);
      if (!fstype.ok) return fstype.message;
      const mountpoint = toText(n.mountpoint, `${name} mountpoint`);
      if (!mountpoint.ok) return mountpoint.message;
      const ro = toFlag(n.ro, `${name} ro`);
      if (!ro.ok) return ro.message;
      out.push(
        volume({ name, path, type: type.value, size: size.value, fstype: fstype.value, mountpoint: mountpoint.value, parent, readOnly: ro.value })
      );
      if (n.children !== undefined && n.children !== null) {
        if (!Array.isArray(n.children)) return `${name}: "children" is not an array`;
        const err = walk(n.children, name, `${at}.children`);
        if (err) return err;
      }
    }
    return null;
  };
  const err = walk(top, undefined, 'blockdevices');
  if (err) return bad(err);
  return okv(dedupe(out));
}

/** How a pairs series reads NAME. */
export interface PairsSeries {
  /**
   * Releases before 2.23 print a device-mapper device's NAME as "<dm name> (dm-N)" (util-linux
   * commit c7e76cd1 dropped the suffix in 2.23). With this set, a NAME ending in " (dm-<digits>)"
   * is split into the DM name and the kernel name dm-N (used for the path when there is no KNAME
   * column).
   */
  dmNameSuffix?: boolean;
}

/**
 * Host volumes from `lsblk -P --bytes` rows. Reads NAME, SIZE and TYPE (required) and KNAME,
 * PKNAME, FSTYPE, MOUNTPOINT, RO when the column list has them; other columns are ignored. The
 * path is built like lsblk builds it (from KNAME when present, else from NAME and TYPE); PKNAME
 * (2.23+) names the parent by kernel name and is turned into the parent's NAME, as the JSON tree
 * gives it. An empty SIZE (a drive without media, listed with --all) is 0 bytes.
 */
export function pairsToVolumes(rows: readonly Record<string, string>[], series: PairsSeries = {}): Parsed<HostVolume[]> {
  const nameOf = new Map<string, string>();
  const cleaned: { row: Record<string, string>; name: string; kname: string | undefined }[] = [];
  for (const row of rows) {
    let kname = row.KNAME === undefined || row.KNAME === '' ? undefined : row.KNAME;
    let name = row.NAME ?? '';
    if (name === '') return bad('a row has no NAME');
    if (series.dmNameSuffix) {
      const open = name.lastIndexOf(' (');
      const inner = open > 0 && name.endsWith(')') ? name.slice(open + 2, -1) : '';
      if (/^dm-\d+$/.test(inner) && (kname === undefined || kname === inner)) {
        name = name.slice(0, open);
        kname = inner;
      }
    }
    if (kname !== undefined && !nameOf.has(kname)) nameOf.set(kname, name);
    cleaned.push({ row, name, kname });
  }
  const out: HostVolume[] = [];
  for (const { row, name, kname } of cleaned) {
    const type = row.TYPE ?? '';
    if (type === '') return bad(`${name} has no TYPE`);
    if (row.SIZE === undefined) return bad(`${name} has no SIZE`);
    const size = toBytes(row.SIZE, name);
    if (!size.ok) return size;
    const ro = toFlag(row.RO, `${name} RO`);
    if (!ro.ok) return ro;
    const pk = row.PKNAME === undefined || row.PKNAME === '' ? undefined : row.PKNAME;
    out.push(
      volume({
        name,
        path: devicePath(name, { kname, type }),
        type,
        size: size.value,
        fstype: row.FSTYPE || undefined,
        mountpoint: row.MOUNTPOINT || undefined,
        parent: pk === undefined ? undefined : (nameOf.get(pk) ?? pk),
        readOnly: ro.value
      })
    );
  }
  return okv(dedupe(out));
}

// ---------------------------------------------------------------------------------------------
// Failures

/**
 * Map a failed lsblk run to the spec's codes, judged by exit code and stderr together. lsblk exits
 * 1 on failure, 32 when none of the named devices was found, 64 when some were (2.3x). Messages:
 * - "unknown column: X" (exit 1): this release lacks a column the scriptlet asked for -> UNSUPPORTED
 * - "unrecognized option" / "invalid option" (exit 1): the option is newer than this release -> UNSUPPORTED
 * - "<dev>: not a block device" (exit 32: the named device does not exist or is a file) -> NO_VOLUME
 * - "Permission denied" -> PERMISSION_DENIED
 * Anything else is TOOL_FAILED (or TIMEOUT) with the tool's first stderr line.
 */
export function lsblkFailure(r: CommandResult, what: string): ScriptletError {
  const err = r.stderr;
  const first = err.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  const with_ = (code: ScriptletError['code'], message: string): ScriptletError => ({ code, message, command: r });
  if (r.timedOut) return with_('TIMEOUT', `${what} timed out`);
  if (r.exitCode === 1 && /unknown column/i.test(err)) return with_('UNSUPPORTED', `${what}: this lsblk lacks a requested column (${first})`);
  if (r.exitCode === 1 && /unrecognized option|invalid option/i.test(err)) return with_('UNSUPPORTED', `${what}: this lsblk lacks a requested option (${first})`);
  if ((r.exitCode === 32 || r.exitCode === 64) && /not a block device/i.test(err)) {
    return with_('NO_VOLUME', `${what}: ${first}`);
  }
  if (/permission denied/i.test(err)) return with_('PERMISSION_DENIED', `${what}: ${first}`);
  const why = `exit ${r.exitCode ?? r.signal}`;
  return with_('TOOL_FAILED', `${what} failed (${why})${first ? `: ${first}` : ''}`);
}

/** The one way every series runs: its argv, its parser; failures mapped the same way. */
export async function listWith(ctx: ScriptletContext, argv: readonly string[], parse: (stdout: string) => Parsed<HostVolume[]>, form: string): Promise<ScriptletResult<{ volumes: HostVolume[] }>> {
  const r = await ctx.query`lsblk ${argv.slice(1)}`;
  if (r.failed) return { ok: false, error: lsblkFailure(r, 'lsblk') };
  if (r.truncated) return fail('TOOL_FAILED', 'lsblk output exceeded the output cap', r);
  const parsed = parse(r.stdout);
  if (!parsed.ok) return fail('TOOL_FAILED', `could not read lsblk ${form} output: ${parsed.message}`, r);
  return done({ volumes: parsed.value });
}
