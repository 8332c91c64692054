// Issue 17 for file volumes: the free space of the file system holding a pool's target
// (statvfs f_bavail, as pool.refresh reports it) is checked before a create that allocates or a
// copy writes, so a write that cannot fit is refused with the numbers before anything is made.
// A write that still runs out (another writer, metadata) is the tool's ENOSPC: NO_SPACE, the
// partial file removed (the scriptlets' partial names). Checked here, not in the scriptlets, so
// their transcripts (goldens) stay what the tools did.
import { statfs } from 'node:fs/promises';
import { err, type ErrorData } from '../errors.js';
import type { PoolRecord } from '../state/pool-store.js';
import { fsRootOf } from './pool-view.js';

/** NO_SPACE when `bytes` do not fit on the pool's file system (unless overcommit), else null. */
export async function fileRoom(rec: PoolRecord, bytes: number, what: string, overcommit: boolean | undefined): Promise<{ ok: false; error: ErrorData } | null> {
  const root = fsRootOf(rec.def);
  if (root === null || overcommit === true || bytes <= 0) return null;
  let free: number;
  try {
    const s = await statfs(root);
    free = s.bavail * s.bsize;
  } catch {
    return null; // an unreadable target is the operation's own error to report
  }
  if (bytes <= free) return null;
  return err('NO_SPACE', `${what}: ${bytes} bytes to write, ${free} bytes free on the file system of ${root} (pool ${rec.def.name}; ask overcommit: true to write anyway)`);
}

/** At most what a copy of `from` writes: its allocated bytes when known, else its capacity. */
export const copyBytes = (from: { capacity: number; allocation: number }): number =>
  from.allocation > 0 && from.allocation <= from.capacity ? from.allocation : from.capacity;
