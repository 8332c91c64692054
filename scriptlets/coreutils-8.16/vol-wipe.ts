import { defineScriptlet, done, fail, toolFailed } from '../../runner/scriptlet/api.js';
import { parsePairs } from '../lib/lsblk.js';

/** dd over the whole partition: zeros or random bytes, counted in bytes, written through. */
export function ddWipeArgv(path: string, size: number, algorithm: 'zero' | 'random'): string[] {
  return [
    'dd',
    `if=${algorithm === 'zero' ? '/dev/zero' : '/dev/urandom'}`,
    `of=${path}`,
    'bs=1M',
    `count=${size}`,
    'iflag=fullblock,count_bytes',
    'oflag=direct',
    'conv=notrunc,fsync',
    'status=none'
  ];
}

/**
 * dd opens the partition without O_EXCL, so it would overwrite a mounted file system, active swap
 * or an LVM PV under active LVs. Before writing, lsblk (util-linux; -P pairs since 2.20, the
 * MOUNTPOINT column since 2.19) lists the partition and what holds it: a mount point (or [SWAP])
 * or any holder below it (device-mapper, md) means it is in use.
 */
export function busyArgv(path: string): string[] {
  return ['lsblk', '-P', '-o', 'NAME,TYPE,MOUNTPOINT', path];
}

/** Why the partition is in use, or null when it is not; a string for lsblk output it cannot read. */
export function busyReason(stdout: string): { busy: string | null } | { unreadable: string } {
  const rows = parsePairs(stdout, ['NAME', 'TYPE', 'MOUNTPOINT']);
  if (!rows.ok) return { unreadable: rows.message };
  if (rows.value.length === 0) return { unreadable: 'no device listed' };
  const [self, ...holders] = rows.value;
  if (self?.['MOUNTPOINT']) return { busy: self['MOUNTPOINT'] === '[SWAP]' ? 'it is active swap' : `it is mounted on ${self['MOUNTPOINT']}` };
  if (holders.length > 0) return { busy: `it is held by ${holders.map((h) => `${h['NAME']} (${h['TYPE']})`).join(', ')}` };
  return { busy: null };
}

export default defineScriptlet({
  operation: 'vol.wipe',
  poolTypes: ['disk'],
  tool: 'coreutils',
  versions: '>=8.16.0',
  why: "coreutils 8.16 (NEWS) added dd's count_bytes input flag, which lets the whole partition be overwritten to its exact byte size without a short last block. A partition in use (mounted, swap, held by device-mapper or md: lsblk -P, util-linux 2.20+) is refused first, since dd does not open it exclusively.",
  binaries: ['lsblk', 'dd'],
  run: async (ctx, input) => {
    const v = input.volume;
    if (v.type !== 'block') return fail('UNSUPPORTED', `${v.path} is not a block volume`);
    if (v.extra?.['partType'] === 'extended') {
      return fail('INVALID_ARGUMENT', `${v.path} is an extended partition: wiping it would destroy the logical partitions' boot records`);
    }
    const check = await ctx.query`${busyArgv(v.path)}`;
    if (check.failed) {
      if (/not a block device|No such file or directory/.test(check.stderr)) return fail('NO_VOLUME', `${v.path} does not exist`, check);
      return toolFailed(check, `checking whether ${v.path} is in use`);
    }
    const busy = busyReason(check.stdout);
    if ('unreadable' in busy) return fail('TOOL_FAILED', `unreadable lsblk output for ${v.path}: ${busy.unreadable}`, check);
    if (busy.busy) return fail('POOL_BUSY', `${v.path} is in use: ${busy.busy}; stop what uses it before wiping`);
    const argv = ddWipeArgv(v.path, v.capacity, input.algorithm);
    const r = await ctx.$`${argv}`;
    if (r.failed) {
      if (/Device or resource busy/.test(r.stderr)) return fail('POOL_BUSY', `${v.path} is in use`, r);
      if (/No such file or directory/.test(r.stderr)) return fail('NO_VOLUME', `${v.path} does not exist`, r);
      if (/Permission denied|Operation not permitted/.test(r.stderr)) return fail('PERMISSION_DENIED', `${v.path}: permission denied`, r);
      return toolFailed(r, `wiping ${v.path}`);
    }
    ctx.progress(v.capacity, v.capacity);
    return done({});
  }
});
