// Who may touch a pool or a volume right now. In one process: a keyed read/write lock that never
// waits (a second writer gets CONFLICT at once, as the spec asks). Across agent processes, files
// in the home's locks/ directory, each naming its owner (`PID:random`), so a lock whose owner is
// dead (kill -9, crash) is stale and taken over:
// - an exclusive key is one file created with O_EXCL (one winner among all processes);
// - a shared key is one holder file per process in the key's `.shared/` directory (per process,
//   not per holder: the first in-process holder makes it, the last one removes it).
// An exclusive taker makes its file, then looks for live shared holders; a shared taker makes its
// holder file, then looks for a live exclusive file. Both write before they read, so of two
// racing takers at least one sees the other and backs off (CONFLICT): a pool cannot be stopped
// by one process while another creates a volume in it.
// proper-lockfile was measured first: its mtime-refresh design costs ~1.5 ms and a timer per
// lock, too much for a create+delete loop.
import { closeSync, fstatSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { err, ok, type Result } from '../errors.js';

type Release = () => Promise<void>;

interface Held {
  shared: number;
  exclusive: boolean;
}

const TOKEN = `${process.pid}:${randomBytes(6).toString('hex')}`;
/** A shared holder file's name: the token, with a character that cannot occur in file names swapped. */
const HOLDER = TOKEN.replace(':', '-');
/**
 * A lock file is empty only between its O_EXCL create and the write of the owner that follows at
 * once; one still empty after this long was left by a process killed in between.
 */
const EMPTY_STALE_MS = 5000;

const errCode = (e: unknown) => (e as { code?: string }).code;

export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errCode(e) === 'EPERM';
  }
}

/** Is the owner named by a lock file's content (`PID:random`) still running? */
export function ownerAlive(content: string): boolean {
  const pid = Number.parseInt(content.split(':')[0] ?? '', 10);
  // Our own PID with another token: a dead process that had our PID before us.
  if (pid === process.pid) return content === TOKEN;
  return pidAlive(pid);
}

/** A lock file's content and age, or null when it is gone. */
function readLock(file: string): { content: string; ageMs: number } | null {
  let fd = -1;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    const st = fstatSync(fd);
    return { content: readFileSync(fd, 'utf8'), ageMs: Date.now() - st.mtimeMs };
  } catch (e) {
    if (errCode(e) === 'ENOENT') return null;
    throw e;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function stale(l: { content: string; ageMs: number }): boolean {
  return l.content === '' ? l.ageMs > EMPTY_STALE_MS : !ownerAlive(l.content);
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

/** Token files of this process, removed when it exits normally (a killed one's by a later sweep). */
const tokenFiles = new Set<string>();
let exitHook = false;
function removeTokenFilesAtExit(): void {
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const f of tokenFiles) removeQuietly(f);
  });
}

/** Create a file that must not exist yet, holding our token, by open + write (no hard links). */
function createWritten(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (e) {
    if (errCode(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, TOKEN);
  } finally {
    closeSync(fd);
  }
  return true;
}

export class Locks {
  private held = new Map<string, Held>();
  /**
   * This process's token file (`HOLDER.token`, holding TOKEN). A lock file is a hard link to it:
   * link(2) is atomic and fails with EEXIST when the lock is held, so a lock file never exists
   * without its owner in it (open + write would leave an empty file to a process killed in
   * between, and nobody could tell whose it was). Null when the file system has no hard links:
   * open + write then, with empty files stale after EMPTY_STALE_MS.
   */
  private tokenFile: string | null | undefined;
  /** Shared keys this process has a holder file for (made while its in-process count is > 0). */
  private holderFiles = new Map<string, string>();

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Create `file` holding our token, unless it exists (false). */
  private createOwned(file: string): boolean {
    if (this.tokenFile === undefined) this.tokenFile = this.makeTokenFile();
    if (this.tokenFile === null) return createWritten(file);
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(this.tokenFile, file);
        return true;
      } catch (e) {
        const code = errCode(e);
        if (code === 'EEXIST') return false;
        // Our token file was removed under us (by hand): make it again, once.
        if (code === 'ENOENT' && attempt === 0) {
          this.tokenFile = this.makeTokenFile();
          if (this.tokenFile === null) return createWritten(file);
          continue;
        }
        throw e;
      }
    }
  }

  private makeTokenFile(): string | null {
    const file = join(this.dir, `${HOLDER}.token`);
    const tmp = `${file}.tmp`;
    removeQuietly(tmp);
    createWritten(tmp);
    try {
      // Written first, then given its name: a token file is never seen empty.
      renameSync(tmp, file);
      const probe = join(this.dir, `${HOLDER}.probe`);
      removeQuietly(probe);
      linkSync(file, probe);
      unlinkSync(probe);
      tokenFiles.add(file);
      removeTokenFilesAtExit();
      return file;
    } catch (e) {
      const code = errCode(e);
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EMLINK') {
        removeQuietly(file);
        return null;
      }
      throw e;
    }
  }

  private base(key: string): string {
    // Keys hold user names: hash them into safe file names.
    return join(this.dir, createHash('sha256').update(key).digest('hex').slice(0, 32));
  }

  /**
   * Remove a stale lock file. Only a process holding the file's breaker (`.break`, O_EXCL) may,
   * and it looks again under the breaker: two processes that both saw the same stale file cannot
   * then remove each other's fresh one.
   */
  private breakStale(file: string): void {
    const breaker = `${file}.break`;
    if (!this.createOwned(breaker)) {
      // Someone else is breaking it right now, or died doing so (a stale breaker is removed here;
      // that one removal is not itself guarded, which would need a process killed inside the
      // few microseconds a takeover takes and two others racing on the same key).
      const b = readLock(breaker);
      if (b && stale(b)) removeQuietly(breaker);
      return;
    }
    try {
      const again = readLock(file);
      if (again && stale(again)) removeQuietly(file);
    } finally {
      removeQuietly(breaker);
    }
  }

  /** Take the exclusive file for a key, taking over a stale one. */
  private takeFile(file: string): 'ok' | 'busy' {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.createOwned(file)) return 'ok';
      const l = readLock(file);
      if (l === null) continue; // Released meanwhile: try again.
      if (!stale(l)) return 'busy';
      this.breakStale(file);
    }
    return 'busy';
  }

  /** Does another live process hold this key shared? Holder files of dead processes are removed. */
  private otherHolders(key: string): boolean {
    let names: string[];
    try {
      names = readdirSync(`${this.base(key)}.shared`);
    } catch (e) {
      if (errCode(e) === 'ENOENT') return false;
      throw e;
    }
    let live = false;
    for (const n of names) {
      if (n === HOLDER) continue;
      // Holder files are named by their owner's token: a dead owner's name is never reused.
      if (ownerAlive(n.replace('-', ':'))) live = true;
      else removeQuietly(join(`${this.base(key)}.shared`, n));
    }
    return live;
  }

  private addHolder(key: string): string {
    const dir = `${this.base(key)}.shared`;
    const file = join(dir, HOLDER);
    // Another process's start-up sweep may remove an empty directory between our mkdir and our
    // create, so both are retried.
    for (let attempt = 0; ; attempt++) {
      try {
        // The name says whose it is: no content needed.
        closeSync(openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW, 0o600));
        return file;
      } catch (e) {
        if (errCode(e) !== 'ENOENT' || attempt >= 20) throw e;
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
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
    if (!exclusive && h.shared === 0) {
      const f = this.holderFiles.get(key);
      if (f) {
        this.holderFiles.delete(key);
        // The key's directory stays: removing it costs more than the whole rest of a volume
        // operation here (rmdir ~1 ms); the start-up sweep removes directories left empty.
        removeQuietly(f);
      }
    }
    if (!h.exclusive && h.shared === 0) this.held.delete(key);
  }

  /**
   * Take every lock or none: `exclusive` keys against every holder in this process and others,
   * `shared` keys against exclusive holders in this process and others (a pool being stopped
   * while its volumes change). Never waits: CONFLICT at once.
   */
  async acquire(what: string, exclusive: readonly string[], shared: readonly string[] = []): Promise<Result<Release>> {
    // Everything below is synchronous: no other request of this process runs in between.
    const takenLocal: [string, boolean][] = [];
    const files: string[] = [];
    const undo = () => {
      for (const f of files) removeQuietly(f);
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
    try {
      for (const k of shared) {
        // Another holder of this process registered it and checked; exclusive takers see it.
        if (this.holderFiles.has(k)) continue;
        this.holderFiles.set(k, this.addHolder(k));
        const x = readLock(`${this.base(k)}.lock`);
        if (x && !stale(x) && x.content !== TOKEN) {
          undo();
          return err('CONFLICT', `${what}: another agent process holds ${k}`);
        }
      }
      for (const k of exclusive) {
        const f = `${this.base(k)}.lock`;
        if (this.takeFile(f) === 'busy') {
          undo();
          return err('CONFLICT', `${what}: another agent process holds ${k}`);
        }
        files.push(f);
        if (this.otherHolders(k)) {
          undo();
          return err('CONFLICT', `${what}: another agent process is using ${k}`);
        }
      }
    } catch (e) {
      undo();
      return err('INTERNAL', `${what}: cannot take a lock: ${(e as Error).message}`);
    }
    let released = false;
    return ok(async () => {
      if (released) return;
      released = true;
      undo();
    });
  }

  /**
   * Start-up: lock files left by dead processes (kill -9, crash) are removed, so they neither
   * block nor pile up. Any later taker would take them over anyway.
   */
  sweep(): number {
    let removed = 0;
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return 0;
    }
    for (const n of names) {
      const p = join(this.dir, n);
      try {
        if (n.endsWith('.lock')) {
          const l = readLock(p);
          if (l && stale(l)) {
            this.breakStale(p);
            if (!existsQuiet(p)) removed++;
          }
        } else if (/^\d+-[0-9a-f]+\.(token|token\.tmp|probe)$/.test(n)) {
          // A token file of a dead process (its lock files, hard links to it, are stale too).
          if (!ownerAlive(n.slice(0, n.indexOf('.')).replace('-', ':'))) {
            removeQuietly(p);
            removed++;
          }
        } else if (n.endsWith('.lock.break')) {
          const l = readLock(p);
          if (l && stale(l)) {
            removeQuietly(p);
            removed++;
          }
        } else if (n.endsWith('.shared')) {
          for (const h of readdirSync(p)) {
            if (!ownerAlive(h.replace('-', ':'))) {
              removeQuietly(join(p, h));
              removed++;
            }
          }
          try {
            // Empty holder directories of keys nobody uses any more (pools undefined long ago).
            rmdirSync(p);
          } catch {
            // In use, or not empty: kept.
          }
        }
      } catch {
        // A lock that cannot be read is left for its key's next taker.
      }
    }
    return removed;
  }
}

function existsQuiet(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
