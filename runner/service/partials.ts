// Volumes being made in file pools live under a partial name (PARTIAL_PREFIX, see
// runner/scriptlet/api.ts) until they are whole. A partial whose operation is gone - the agent
// was killed, or crashed - is garbage: it is found here, on vol.list, pool.refresh and pool.start,
// and removed. "Gone" is decided by the volume's lock: the operation that made the partial held it
// all along (across processes: a lock file naming its owner, stale once the owner is dead), so a
// partial whose lock can be taken now belongs to nobody.
import { lstatSync, readdirSync, realpathSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PARTIAL_PREFIX, partialName } from '../scriptlet/api.js';
import type { PoolRecord } from '../state/pool-store.js';
import type { Service } from './context.js';
import { fsRootOf } from './pool-view.js';

export const volKey = (rec: PoolRecord, name: string) => `vol:${rec.def.uuid}/${name}`;
export const poolKey = (rec: PoolRecord) => `pool:${rec.def.uuid}`;

/**
 * The names whose locks guard a volume being made: its own, and for a name too long to prefix,
 * the short name its partial file carries (so the sweep, which sees only the file, finds the lock).
 */
export function makingNames(name: string): string[] {
  const guard = partialName(name).slice(PARTIAL_PREFIX.length);
  return guard === name ? [name] : [name, guard];
}

/** Remove the pool's partial files whose operation is gone; how many were removed. */
export async function sweepPartials(svc: Service, rec: PoolRecord): Promise<number> {
  const root = fsRootOf(rec.def);
  if (!root) return 0;
  let dir: string;
  let names: string[];
  try {
    dir = realpathSync(root);
    names = readdirSync(dir);
  } catch {
    return 0; // No target (yet): the scriptlet will say so.
  }
  let removed = 0;
  for (const n of names) {
    if (!n.startsWith(PARTIAL_PREFIX)) continue;
    const guard = n.slice(PARTIAL_PREFIX.length);
    const lock = await svc.locks.acquire(`sweep ${n}`, [volKey(rec, guard)], [poolKey(rec)]);
    if (!lock.ok) continue; // Being made right now (or the pool is being stopped): not garbage.
    try {
      const p = join(dir, n);
      // A partial is a file the agent made; a directory of that name is left alone, and a symlink
      // is removed as a link (unlink never follows it).
      if (!lstatSync(p).isDirectory()) {
        unlinkSync(p);
        removed++;
      }
    } catch {
      // Gone meanwhile.
    } finally {
      await lock.value();
    }
  }
  return removed;
}
