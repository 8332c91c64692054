// Who may touch a pool or a volume right now. In one process: a keyed read/write lock that never
// waits (a second writer gets CONFLICT at once, as the spec asks). Across agent processes: one
// lock file per exclusive key, created with O_EXCL and holding the owner's PID; a lock whose
// owner is dead (kill -9, crash) is stale and taken over. proper-lockfile was measured first: its
// mtime-refresh design costs ~1.5 ms and a timer per lock, too much for a create+delete loop.
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { err, ok, type Result } from '../errors.js';

type Release = () => Promise<void>;

interface Held {
  shared: number;
  exclusive: boolean;
}

const TOKEN = `${process.pid}:${randomBytes(6).toString('hex')}`;

function ownerAlive(content: string): boolean {
  const pid = Number.parseInt(content.split(':')[0] ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return !content.startsWith(`${process.pid}:`) || content === TOKEN;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

export class Locks {
  private held = new Map<string, Held>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private fileFor(key: string): string {
    // Keys hold user names: hash them into safe file names.
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);
  }

  /** Take the file lock for a key, taking over a stale one once. */
  private takeFile(file: string): 'ok' | 'busy' {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
        writeSync(fd, TOKEN);
        closeSync(fd);
        return 'ok';
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') throw e;
      }
      let content = '';
      try {
        content = readFileSync(file, 'utf8');
      } catch {
        continue; // Released meanwhile: try again.
      }
      // An empty file is a lock being written right now: busy.
      if (content === '' || ownerAlive(content)) return 'busy';
      try {
        unlinkSync(file);
      } catch {
        // Someone else took it over first.
      }
    }
    return 'busy';
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
    const files: string[] = [];
    const undo = () => {
      for (const f of files) {
        try {
          unlinkSync(f);
        } catch {
          // Already gone.
        }
      }
      for (const [k, ex] of takenLocal) this.dropLocal(k, ex);
    };
    for (const [keys, ex] of [[shared, false], [exclusive, true]] as const) {
      for (const k of keys) {
        if (!this.takeLocal(k, ex)) {
          undo();
          return err('CONFLICT', `${what}: another operation holds ${k}`);
        }
        takenLocal.push([k, ex]);
      }
    }
    for (const k of exclusive) {
      const f = this.fileFor(k);
      let got: 'ok' | 'busy';
      try {
        got = this.takeFile(f);
      } catch (e) {
        undo();
        return err('INTERNAL', `${what}: cannot take lock ${k}: ${(e as Error).message}`);
      }
      if (got === 'busy') {
        undo();
        return err('CONFLICT', `${what}: another agent process holds ${k}`);
      }
      files.push(f);
    }
    let released = false;
    return ok(async () => {
      if (released) return;
      released = true;
      undo();
    });
  }
}
