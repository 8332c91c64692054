// File operations on a pool's target directory, run by the runner on a scriptlet's behalf.
// Confinement: an operand is a plain entry name inside the target (never a path), the target is
// resolved to its real path first, and no mutation follows a symbolic link (O_NOFOLLOW, lstat).
import { constants, promises as fsp, lstatSync, openSync, readSync, closeSync, readdirSync, realpathSync, statfsSync, ftruncateSync, fstatSync, fchmodSync, fchownSync, unlinkSync, writeSync, linkSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';
import type { ErrorCode } from '../contracts/generated.js';
import type { FileStat, FsResult, FsUsage } from '../scriptlet/api.js';
import { isPartialName, partialName } from '../scriptlet/api.js';

// Enough for a qcow2 v3 header's feature bits (offsets 72-95), read with the same one read.
export const HEADER_BYTES = 112;
const CHUNK = 1024 * 1024;

export type FsOpName = 'statRoot' | 'mkdirRoot' | 'rmdirRoot' | 'usage' | 'list' | 'stat' | 'readBytes' | 'createFile' | 'unlink' | 'overwrite' | 'allocate' | 'rename' | 'setPermissions';
export const MUTATING_FS_OPS: ReadonlySet<FsOpName> = new Set(['mkdirRoot', 'rmdirRoot', 'createFile', 'unlink', 'overwrite', 'allocate', 'rename', 'setPermissions']);
/** Largest allocation made by writing zeros here; beyond it scriptlets use fallocate(1). */
export const MAX_ALLOCATE = 256 * 1024 * 1024;

const denied = (message: string): FsResult<never> => ({ ok: false, code: 'SANDBOX_DENIED', message });
const failed = (code: ErrorCode, message: string): FsResult<never> => ({ ok: false, code, message });

/** A plain entry name: no separators, not '.', '..', empty, or containing NUL. */
export function checkEntryName(name: unknown): string | null {
  if (typeof name !== 'string' || name === '' || name === '.' || name === '..') return 'not a plain file name';
  if (name.includes('/') || name.includes('\0')) return 'a volume name may not contain "/" or NUL';
  if (Buffer.byteLength(name) > 255) return 'longer than 255 bytes';
  return null;
}

function errnoResult(e: unknown, what: string): FsResult<never> {
  const code = (e as { code?: string }).code ?? '';
  const msg = `${what}: ${(e as Error).message ?? String(e)}`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return failed('PERMISSION_DENIED', msg);
    case 'ENOSPC':
    case 'EDQUOT':
    case 'EFBIG':
      return failed('NO_SPACE', msg);
    case 'EEXIST':
      return failed('VOLUME_EXISTS', msg);
    case 'ENOENT':
      return failed('NO_VOLUME', msg);
    case 'ENOTEMPTY':
    case 'EBUSY':
      return failed('POOL_BUSY', msg);
    case 'ELOOP':
      return denied(`${what}: refusing to follow a symbolic link`);
    case 'ENOTDIR':
      return failed('INVALID_ARGUMENT', msg);
    default:
      return failed('INTERNAL', `${msg} (please report this)`);
  }
}

function typeOf(st: import('node:fs').Stats): FileStat['type'] {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isBlockDevice()) return 'block';
  return 'other';
}

function readHeader(path: string): string {
  let fd = -1;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const buf = Buffer.alloc(HEADER_BYTES);
    const n = readSync(fd, buf, 0, HEADER_BYTES, 0);
    return buf.subarray(0, n).toString('base64');
  } catch {
    return '';
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function statEntry(dir: string, name: string): FileStat | null {
  const path = join(dir, name);
  let st;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
  const type = typeOf(st);
  return {
    name,
    type,
    size: st.size,
    allocated: st.blocks * 512,
    mode: st.mode & 0o7777,
    uid: st.uid,
    gid: st.gid,
    header: type === 'file' ? readHeader(path) : ''
  };
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/**
 * `from` takes the name `to`, never replacing an existing entry: link(2) fails with EEXIST when
 * `to` is taken (rename(2) would silently replace it), then the old name is removed. A crash in
 * between leaves both names on the same whole file; the partial one is swept later. File systems
 * without hard links (vfat, some FUSE) get an existence check and rename(2); the caller holds the
 * volume's lock, so nothing of this agent races it.
 */
function publish(from: string, to: string, dropOnFailure: boolean): FsResult<void> {
  const fail = (r: FsResult<never>) => {
    if (dropOnFailure) removeQuietly(from);
    return r;
  };
  try {
    linkSync(from, to);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'EEXIST') return fail(failed('VOLUME_EXISTS', `${to} already exists`));
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK' && code !== 'ENOSYS') return fail(errnoResult(e, `rename to ${to}`));
    try {
      lstatSync(to);
      return fail(failed('VOLUME_EXISTS', `${to} already exists`));
    } catch (e2) {
      if ((e2 as { code?: string }).code !== 'ENOENT') return fail(errnoResult(e2, `rename to ${to}`));
    }
    try {
      renameSync(from, to);
    } catch (e3) {
      return fail(errnoResult(e3, `rename to ${to}`));
    }
    return { ok: true, value: undefined };
  }
  unlinkSync(from);
  return { ok: true, value: undefined };
}

export interface PoolFsOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

/** The runner side of ctx.fs. `root` is the pool's target path as defined. */
export class PoolFsHost {
  constructor(readonly root: string) {}

  /** The target's real path, or an error when it is missing (resolved per call: it may move). */
  private realRoot(): FsResult<string> {
    try {
      return { ok: true, value: realpathSync(this.root) };
    } catch (e) {
      return errnoResult(e, `pool target ${this.root}`);
    }
  }

  private entry(name: unknown): FsResult<string> {
    const bad = checkEntryName(name);
    if (bad) return denied(`file operation outside the pool refused: ${JSON.stringify(name)} is ${bad}`);
    const root = this.realRoot();
    if (!root.ok) return root;
    return { ok: true, value: join(root.value, name as string) };
  }

  async call(op: FsOpName, args: readonly unknown[], opts: PoolFsOptions = {}): Promise<FsResult<unknown>> {
    try {
      switch (op) {
        case 'statRoot':
          return this.statRoot();
        case 'mkdirRoot':
          return await this.mkdirRoot(args[0]);
        case 'rmdirRoot':
          return await this.rmdirRoot();
        case 'usage':
          return this.usage();
        case 'list':
          return this.list();
        case 'stat':
          return this.stat(args[0]);
        case 'readBytes':
          return this.readBytes(args[0], args[1], args[2]);
        case 'createFile':
          return await this.createFile(args[0], args[1], args[2]);
        case 'unlink':
          return await this.unlink(args[0]);
        case 'overwrite':
          return await this.overwrite(args[0], args[1], args[2], opts);
        case 'allocate':
          return this.allocate(args[0], args[1]);
        case 'rename':
          return this.rename(args[0], args[1]);
        case 'setPermissions':
          return this.setPermissions(args[0], args[1], args[2], args[3]);
        default:
          return denied(`unknown file operation ${String(op)}`);
      }
    } catch (e) {
      return errnoResult(e, `${op}`);
    }
  }

  statRoot(): FsResult<FileStat | null> {
    let st;
    try {
      st = lstatSync(this.root);
      // A target that is itself a symlink is followed once: that is how it was defined.
      if (st.isSymbolicLink()) st = lstatSync(realpathSync(this.root));
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return { ok: true, value: null };
      return errnoResult(e, `pool target ${this.root}`);
    }
    return { ok: true, value: { name: '', type: typeOf(st), size: st.size, allocated: st.blocks * 512, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, header: '' } };
  }

  async mkdirRoot(mode: unknown): Promise<FsResult<void>> {
    const m = typeof mode === 'number' && mode >= 0 && mode <= 0o7777 ? mode : 0o755;
    // One component at a time, parents first, each error final: Node's recursive mkdir loops for
    // ever where mkdir answers ENOENT under a parent that exists (a target under /proc, seen).
    const parts = this.root.split('/').filter((x) => x !== '');
    for (let i = 1; i <= parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      try {
        await fsp.mkdir(dir, { mode: i === parts.length ? m : 0o755 });
      } catch (e) {
        if ((e as { code?: string }).code !== 'EEXIST') return errnoResult(e, `making pool target ${dir}`);
      }
    }
    await fsp.chmod(this.root, m);
    return { ok: true, value: undefined };
  }

  async rmdirRoot(): Promise<FsResult<void>> {
    await fsp.rmdir(this.root);
    return { ok: true, value: undefined };
  }

  usage(): FsResult<FsUsage> {
    const root = this.realRoot();
    if (!root.ok) return root;
    const s = statfsSync(root.value);
    const capacity = s.blocks * s.bsize;
    return { ok: true, value: { capacity, allocation: (s.blocks - s.bfree) * s.bsize, available: s.bavail * s.bsize } };
  }

  list(): FsResult<FileStat[]> {
    const root = this.realRoot();
    if (!root.ok) return root;
    const out: FileStat[] = [];
    for (const name of readdirSync(root.value)) {
      const st = statEntry(root.value, name);
      if (st) out.push(st);
    }
    out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { ok: true, value: out };
  }

  stat(name: unknown): FsResult<FileStat | null> {
    const p = this.entry(name);
    if (!p.ok) return p;
    const root = this.realRoot();
    if (!root.ok) return root;
    return { ok: true, value: statEntry(root.value, name as string) };
  }

  readBytes(name: unknown, offset: unknown, length: unknown): FsResult<string> {
    const p = this.entry(name);
    if (!p.ok) return p;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0 || (length as number) > 65536) {
      return failed('INVALID_ARGUMENT', 'readBytes: offset and length must be whole numbers, length at most 64 KiB');
    }
    const fd = openSync(p.value, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(length as number);
      const n = readSync(fd, buf, 0, length as number, offset as number);
      return { ok: true, value: buf.subarray(0, n).toString('base64') };
    } finally {
      closeSync(fd);
    }
  }

  // Small, quick system calls are made synchronously: a create+delete loop is dominated by
  // thread-pool hops otherwise. Only the long overwrite is asynchronous.
  async createFile(name: unknown, size: unknown, mode: unknown): Promise<FsResult<FileStat>> {
    const p = this.entry(name);
    if (!p.ok) return p;
    if (!Number.isSafeInteger(size) || (size as number) < 0) return failed('INVALID_ARGUMENT', 'createFile: size must be a whole number of bytes');
    const m = typeof mode === 'number' && mode >= 0 && mode <= 0o7777 ? mode : 0o600;
    // A volume's file is made under its partial name and linked into place once it has its size,
    // so a crash never leaves a short file under the real name. A partial name is made directly.
    const direct = isPartialName(name as string);
    let made = p.value;
    if (!direct) {
      const q = this.entry(partialName(name as string));
      if (!q.ok) return q;
      made = q.value;
    }
    let fd: number;
    try {
      fd = openSync(made, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, m);
    } catch (e) {
      if (direct || (e as { code?: string }).code !== 'EEXIST') throw e;
      // A partial left by an operation that is gone (the caller holds this volume's lock).
      unlinkSync(made);
      fd = openSync(made, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, m);
    }
    let st;
    try {
      ftruncateSync(fd, size as number);
      st = fstatSync(fd);
    } catch (e) {
      // Leave nothing half made.
      closeSync(fd);
      removeQuietly(made);
      return errnoResult(e, `createFile ${String(name)}`);
    }
    closeSync(fd);
    if (!direct) {
      const linked = publish(made, p.value, true);
      if (!linked.ok) return linked;
    }
    // A new sparse file reads as zeros: its header is empty (raw).
    return { ok: true, value: { name: name as string, type: 'file', size: st.size, allocated: st.blocks * 512, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, header: '' } };
  }

  /** Publish a whole regular file under its real name: atomic, never replacing (VOLUME_EXISTS). */
  rename(from: unknown, to: unknown): FsResult<FileStat> {
    const a = this.entry(from);
    if (!a.ok) return a;
    const b = this.entry(to);
    if (!b.ok) return b;
    if (from === to) return failed('INVALID_ARGUMENT', 'rename: source and target are the same name');
    const st = lstatSync(a.value);
    if (st.isSymbolicLink()) return denied(`rename: ${String(from)} is a symbolic link, which is never followed or moved`);
    if (!st.isFile()) return failed('INVALID_ARGUMENT', `rename: ${String(from)} is not a regular file`);
    const r = publish(a.value, b.value, false);
    if (!r.ok) return r;
    const root = this.realRoot();
    if (!root.ok) return root;
    const after = statEntry(root.value, to as string);
    return after ? { ok: true, value: after } : failed('NO_VOLUME', `rename: ${String(to)} vanished after it was renamed`);
  }

  async unlink(name: unknown): Promise<FsResult<void>> {
    const p = this.entry(name);
    if (!p.ok) return p;
    const st = lstatSync(p.value);
    if (st.isDirectory()) return failed('INVALID_ARGUMENT', `unlink: ${String(name)} is a directory`);
    // Unlinking a symlink removes the link in the pool, never what it points to.
    unlinkSync(p.value);
    return { ok: true, value: undefined };
  }

  /**
   * Make the first `length` bytes of a file really allocated, the way libvirt does without
   * fallocate: by writing zeros (no process to start). Capped at MAX_ALLOCATE.
   */
  allocate(name: unknown, length: unknown): FsResult<FileStat> {
    const p = this.entry(name);
    if (!p.ok) return p;
    if (!Number.isSafeInteger(length) || (length as number) < 0 || (length as number) > MAX_ALLOCATE) {
      return failed('INVALID_ARGUMENT', `allocate: length must be a whole number of bytes up to ${MAX_ALLOCATE}`);
    }
    const fd = openSync(p.value, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(Math.min(CHUNK, Math.max(length as number, 1)));
      for (let done = 0; done < (length as number); ) {
        const n = Math.min(buf.length, (length as number) - done);
        done += writeSync(fd, buf, 0, n, done);
      }
      const st = fstatSync(fd);
      return { ok: true, value: { name: name as string, type: 'file', size: st.size, allocated: st.blocks * 512, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, header: '' } };
    } catch (e) {
      return errnoResult(e, `allocate ${String(name)}`);
    } finally {
      closeSync(fd);
    }
  }

  /** fchmod/fchown through an O_NOFOLLOW descriptor of a regular file: a symlink is never followed. */
  setPermissions(name: unknown, mode: unknown, uid: unknown, gid: unknown): FsResult<FileStat> {
    const p = this.entry(name);
    if (!p.ok) return p;
    // JSON turns a left-out mode into null; the IPC trims trailing nulls only.
    const m = mode === undefined ? null : mode;
    if (m !== null && (!Number.isInteger(m) || (m as number) < 0 || (m as number) > 0o7777)) return failed('INVALID_ARGUMENT', 'setPermissions: mode must be a number from 0 to 07777');
    const id = (v: unknown) => v === undefined ? -1 : v;
    const u = id(uid);
    const g = id(gid);
    for (const v of [u, g]) {
      if (!Number.isInteger(v) || (v as number) < -1 || (v as number) > 0xfffffffe) return failed('INVALID_ARGUMENT', 'setPermissions: owner and group must be ids (-1 keeps them)');
    }
    const fd = openSync(p.value, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const before = fstatSync(fd);
      if (!before.isFile()) return failed('INVALID_ARGUMENT', `setPermissions: ${String(name)} is not a regular file`);
      if (u !== -1 || g !== -1) fchownSync(fd, u === -1 ? before.uid : (u as number), g === -1 ? before.gid : (g as number));
      // After chown: changing the owner clears set-id bits, which an asked mode then sets again.
      if (m !== null) fchmodSync(fd, m as number);
      const st = fstatSync(fd);
      return { ok: true, value: { name: name as string, type: 'file', size: st.size, allocated: st.blocks * 512, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, header: '' } };
    } catch (e) {
      return errnoResult(e, `setPermissions ${String(name)}`);
    } finally {
      closeSync(fd);
    }
  }

  async overwrite(name: unknown, length: unknown, algorithm: unknown, opts: PoolFsOptions): Promise<FsResult<void>> {
    const p = this.entry(name);
    if (!p.ok) return p;
    if (!Number.isSafeInteger(length) || (length as number) < 0) return failed('INVALID_ARGUMENT', 'overwrite: length must be a whole number of bytes');
    if (algorithm !== 'zero' && algorithm !== 'random') return failed('UNSUPPORTED', `wipe algorithm ${String(algorithm)} is not supported (zero, random)`);
    const total = length as number;
    const fh = await fsp.open(p.value, constants.O_WRONLY | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.alloc(Math.min(CHUNK, Math.max(total, 1)));
      let done = 0;
      let lastReport = 0;
      while (done < total) {
        if (opts.signal?.aborted) return failed('CANCELLED', 'wipe cancelled');
        const n = Math.min(buf.length, total - done);
        if (algorithm === 'random') randomFillSync(buf, 0, n);
        await fh.write(buf, 0, n, done);
        done += n;
        if (opts.onProgress && (done - lastReport >= 64 * CHUNK || done === total)) {
          lastReport = done;
          opts.onProgress(done, total);
        }
      }
      await fh.sync();
    } finally {
      await fh.close();
    }
    return { ok: true, value: undefined };
  }
}
