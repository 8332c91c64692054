// Who may touch a pool or a volume right now. In one process: a keyed read/write lock that never
// waits (a second writer gets CONFLICT at once, as the spec asks). Across agent processes: a lock
// directory per key (proper-lockfile, stale after a crash), taken with the in-process one.
import lockfile from 'proper-lockfile';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { err, ok, type Result } from '../errors.js';

type Release = () => Promise<void>;

interface Held {
  shared: number;
  exclusive: boolean;
}

export class Locks {
  private held = new Map<string, Held>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private fileFor(key: string): string {
    // Keys hold user names: hash them into safe file names.
    return join(this.dir, createHash('sha256').update(key).digest('hex').slice(0, 32));
  }

  private takeLocal(key: string, exclusive: boolean): boolean {
    const h = this.held.get(key) ?? { shared: 0, exclusive: false };
    if (h.exclusive || (exclusive && h.shared > 0)) return false;
    if (exclusive) h.exclusive = true;
    else h.shared++;
    this.held.set(key, h);
    return true;
  }

  private dropLocal(key: string, exclusive: boolean) {
    const h = this.held.get(key);
    if (!h) return;
    if (exclusive) h.exclusive = false;
    else h.shared = Math.max(0, h.shared - 1);
    if (!h.exclusive && h.shared === 0) this.held.delete(key);
  }

  /**
   * Take every lock or none: `exclusive` keys for this process and others, `shared` keys only
   * against this process's exclusive holders (a pool being stopped while its volumes change).
   */
  async acquire(what: string, exclusive: readonly string[], shared: readonly string[] = []): Promise<Result<Release>> {
    const takenLocal: [string, boolean][] = [];
    const undoLocal = () => {
      for (const [k, ex] of takenLocal) this.dropLocal(k, ex);
    };
    for (const k of shared) {
      if (!this.takeLocal(k, false)) {
        undoLocal();
        return err('CONFLICT', `${what}: another operation holds ${k}`);
      }
      takenLocal.push([k, false]);
    }
    for (const k of exclusive) {
      if (!this.takeLocal(k, true)) {
        undoLocal();
        return err('CONFLICT', `${what}: another operation holds ${k}`);
      }
      takenLocal.push([k, true]);
    }
    const releases: Release[] = [];
    for (const k of exclusive) {
      try {
        releases.push(await lockfile.lock(this.fileFor(k), { stale: 30_000, update: 10_000, retries: { retries: 3, minTimeout: 20, maxTimeout: 100 }, realpath: false }));
      } catch (e) {
        for (const r of releases) await r().catch(() => undefined);
        undoLocal();
        const busy = (e as { code?: string }).code === 'ELOCKED';
        return busy ? err('CONFLICT', `${what}: another agent process holds ${k}`) : err('INTERNAL', `${what}: cannot take lock ${k}: ${(e as Error).message}`);
      }
    }
    let released = false;
    return ok(async () => {
      if (released) return;
      released = true;
      for (const r of releases) await r().catch(() => undefined);
      undoLocal();
    });
  }
}
