// OpenZFS 0.8's zpool, as the zfs pool scriptlets use it. Output is read in scripting mode
// (-H: no header, one tab between fields) with exact numbers (-p), which every release from 0.8
// on prints the same way; 2.3's JSON (-j) is not read (see series.ts for why).
// Messages are matched on zpool's own wording (cmd/zpool/zpool_main.c), judged with the exit code.
import { fail, toolFailed, type CommandResult, type ScriptletError } from '../../runner/scriptlet/api.js';
import type { PoolDefinition, PoolSizes, PoolSource } from '../../runner/contracts/generated.js';

/** The zpool a pool definition names (<source><name>, libvirt's default: the pool's name). */
export function zpoolName(pool: PoolDefinition): string {
  return pool.source?.name ?? pool.name;
}

export const poolCreateArgv = (name: string, devices: readonly string[], force: boolean): string[] => ['create', ...(force ? ['-f'] : []), name, ...devices];
export const poolImportArgv = (name: string): string[] => ['import', name];
export const poolExportArgv = (name: string): string[] => ['export', name];
export const poolDestroyArgv = (name: string): string[] => ['destroy', name];
/** Default columns (0.8 on): NAME SIZE ALLOC FREE CKPOINT EXPANDSZ FRAG CAP DEDUP HEALTH ALTROOT. */
export const poolListArgv = (name: string): string[] => ['list', '-H', '-p', name];

/** `zpool list -H -p POOL`'s one row: sizes in bytes. */
export function parsePoolList(stdout: string, name: string): PoolSizes | null {
  const row = stdout.split('\n').map((l) => l.split('\t')).find((f) => f[0] === name);
  if (!row || row.length < 4) return null;
  const [size, alloc, free] = [row[1], row[2], row[3]].map((v) => (v !== undefined && /^[0-9]{1,16}$/.test(v) ? Number(v) : NaN));
  if (![size, alloc, free].every((n) => Number.isSafeInteger(n))) return null;
  return { capacity: size as number, allocation: alloc as number, available: free as number };
}

/**
 * `zpool import` with no pool: one block per importable pool ("   pool: NAME", "     id: N",
 * "  state: ONLINE", "config:" and the vdev tree, leaves indented below the pool's own line).
 * The leaves that are devices (not mirror-N / raidz / logs ... groupings) become source devices.
 */
export function parseImportList(stdout: string): PoolSource[] {
  const out: PoolSource[] = [];
  let cur: PoolSource | null = null;
  let inConfig = false;
  let poolIndent = -1;
  for (const line of stdout.split('\n')) {
    const head = /^\s*pool: (\S+)\s*$/.exec(line);
    if (head?.[1]) {
      cur = { name: head[1] };
      out.push(cur);
      inConfig = false;
      poolIndent = -1;
      continue;
    }
    if (!cur) continue;
    if (/^\s*config:\s*$/.test(line)) {
      inConfig = true;
      continue;
    }
    if (!inConfig || line.trim() === '') continue;
    const m = /^(\s*)(\S+)(\s+\S+)?/.exec(line);
    if (!m?.[2]) continue;
    const indent = (m[1] ?? '').replace(/\t/g, '        ').length;
    if (m[2] === cur.name && poolIndent < 0) {
      poolIndent = indent;
      continue;
    }
    if (poolIndent < 0 || indent <= poolIndent) continue;
    const word = m[2];
    if (/^(mirror|raidz[0-3]?|draid[0-9]*|spare|replacing|logs|cache|spares|special|dedup)(-[0-9]+|:.*)?$/.test(word)) continue;
    (cur.devices ??= []).push({ path: word.startsWith('/') ? word : `/dev/${word}` });
  }
  return out;
}

/** The spec's code for a failed zpool command, from zpool's messages. */
export function zpoolFailure(r: CommandResult, what: string): { ok: false; error: ScriptletError } {
  const e = r.stderr;
  if (/no such pool available|no such pool\b/.test(e)) return fail('NO_POOL', `${what}: no such zpool`, r);
  if (/a pool with that name (already exists|is already created\/imported)/.test(e)) return fail('POOL_EXISTS', `${what}: a zpool with that name already exists`, r);
  if (/use '-f' to override|contains a filesystem|is part of (active|exported|potentially active) pool|contains a corrupt primary EFI label/.test(e)) {
    return fail('ALREADY_BUILT', `${what}: the devices hold data (pool.build with overwrite: true replaces it)`, r);
  }
  if (/pool or dataset is busy|dataset is busy|is busy/.test(e)) return fail('POOL_BUSY', `${what}: the zpool is busy`, r);
  if (/permission denied|must be run as root/i.test(e)) return fail('PERMISSION_DENIED', `${what}: ${e.trim().split('\n')[0] ?? ''}`, r);
  if (/The ZFS modules (are|cannot be) (not loaded|auto-loaded)|Failed to initialize the libzfs library/.test(e)) {
    return fail('UNSUPPORTED', `${what}: the ZFS kernel module is not loaded on this host`, r);
  }
  return toolFailed(r, what);
}
