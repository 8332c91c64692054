// Pool files handed to qemu-img by descriptor, so that a file swapped for a symlink between the
// volume's lookup and the command is never followed out of the pool (issue 8, seen in issue 5).
//
// Before a qemu-img command in a file-based pool runs, every existing file it names inside the
// pool's target is opened here with O_NOFOLLOW (a symlink there is refused: SANDBOX_DENIED), and
// the command is given `/proc/self/fd/N` instead of the path: the kernel resolves that to the
// inode opened, whatever the name points to by then. Left as paths: names that do not exist yet
// (what the command makes, under a partial name), and a `-b`/`-B` value (qemu-img writes it into
// the new image as it is). Images whose backing file is named relative to the image (qemu-img
// resolves that against the image's directory, which /proc/self/fd is not) keep their path, and
// are checked after the command instead: the name must still be the inode opened before, not a
// symlink, else the run fails SANDBOX_DENIED. The command's own output names the path again.
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** Tools given pool files by descriptor. */
const BY_DESCRIPTOR = new Set(['qemu-img']);
/** qemu-img options whose value is a backing file name, stored in the image as given. */
const BACKING_FLAGS = new Set(['-b', '-B']);

interface Held {
  path: string;
  fd: number;
  dev: number;
  ino: number;
}

export interface PinnedFiles {
  /** The argv to run (paths replaced by /proc/self/fd/N). */
  argv: string[];
  /** Descriptors the command inherits as 3, 4, ... */
  fds: number[];
  /** /proc/self/fd/N -> the path it stands for, to put the path back in the command's output. */
  names: Array<[string, string]>;
  /** Files left as paths, checked after the command. */
  checked: Held[];
}

export type PinOutcome = { ok: true; pinned: PinnedFiles | null } | { ok: false; why: string };

const insideRoot = (abs: string, root: string) => abs.startsWith(root.endsWith(sep) ? root : root + sep);

/** Open the pool files a command names; null when the command takes none by descriptor. */
export function pinPoolFiles(argv: readonly string[], fsRoot: string): PinOutcome {
  if (!BY_DESCRIPTOR.has(argv[0] ?? '')) return { ok: true, pinned: null };
  const root = resolve(fsRoot);
  // A backing file named relative to the new image is resolved against the image's directory.
  const relativeBackingArg = argv.some((a, i) => i > 0 && BACKING_FLAGS.has(argv[i - 1] ?? '') && !a.startsWith('/') && !/^[A-Za-z][\w+.-]*:/.test(a));
  const out: PinnedFiles = { argv: [...argv], fds: [], names: [], checked: [] };
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (!a.startsWith('/') || BACKING_FLAGS.has(argv[i - 1] ?? '')) continue;
    const abs = resolve(a);
    if (!insideRoot(abs, root)) continue;
    let fd: number;
    try {
      fd = openSync(abs, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') {
        release(out);
        return { ok: false, why: `${a} is a symbolic link: ${argv[0]} would follow it out of the pool` };
      }
      continue; // Not there (an output the command makes), or not ours to open: the command says.
    }
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      continue;
    }
    if (relativeBackingArg || chainsRelative(fd)) {
      out.checked.push({ path: abs, fd, dev: st.dev, ino: st.ino });
      continue;
    }
    const name = `/proc/self/fd/${3 + out.fds.length}`;
    out.fds.push(fd);
    out.names.push([name, a]);
    out.argv[i] = name;
  }
  if (!out.fds.length && !out.checked.length) return { ok: true, pinned: null };
  return { ok: true, pinned: out };
}

/** After the command: close the descriptors; what is wrong with a file left as a path, or null. */
export function releasePinned(p: PinnedFiles): string | null {
  let problem: string | null = null;
  for (const h of p.checked) {
    try {
      const st = lstatSync(h.path);
      if (st.isSymbolicLink() || st.dev !== h.dev || st.ino !== h.ino) problem ??= `${h.path} was replaced while the command ran`;
    } catch {
      // Removed meanwhile: nothing was followed through it.
    }
  }
  release(p);
  return problem;
}

/** Put the paths back where the command's output names its descriptors. */
export function restoreNames(text: string, p: PinnedFiles): string {
  let s = text;
  for (const [name, path] of p.names) s = s.split(name).join(path);
  return s;
}

function release(p: PinnedFiles): void {
  for (const fd of [...p.fds, ...p.checked.map((h) => h.fd)]) {
    try {
      closeSync(fd);
    } catch {
      // Already closed.
    }
  }
  p.fds = [];
  p.checked = [];
}

/**
 * Whether qemu-img may open other files named relative to this image: a qcow2 with a relative
 * backing file name, or an image format whose chain this does not read (QED, VMDK, VHD(X), VDI):
 * those keep their path. A raw file (no image header) or a qcow2 without one does not.
 */
function chainsRelative(fd: number): boolean {
  const head = Buffer.alloc(1024);
  let n: number;
  try {
    n = readSync(fd, head, 0, head.length, 0);
  } catch {
    return true;
  }
  const magic = head.subarray(0, Math.min(n, 8));
  const starts = (s: string) => magic.subarray(0, s.length).equals(Buffer.from(s, 'latin1'));
  if (starts('QFI\xfb')) {
    if (n < 20) return true;
    const offset = head.readBigUInt64BE(8);
    const size = head.readUInt32BE(16);
    if (offset === 0n || size === 0) return false;
    if (size > 1023) return true;
    const nameBuf = Buffer.alloc(size);
    try {
      if (readSync(fd, nameBuf, 0, size, Number(offset)) !== size) return true;
    } catch {
      return true;
    }
    const backing = nameBuf.toString('utf8');
    return !backing.startsWith('/') && !/^[A-Za-z][\w+.-]*:/.test(backing);
  }
  return ['QED\0', 'KDMV', '# Disk D', 'conectix', 'vhdxfile', '<<< Orac', '<<< Sun ', '<<< inno'].some(starts);
}
