// Write a file so readers see the old content or the new, never a torn one: write a temp file
// beside it, fsync it, rename over, fsync the directory.
import { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export function writeFileAtomic(path: string, data: string, mode = 0o644): void {
  // The temp name holds at most 200 bytes of the file's name: the whole must stay under NAME_MAX
  // (255 bytes) however long the file's own name is.
  const tmp = join(dirname(path), `.${clipBytes(basename(path), 200)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing to clean.
    }
    throw e;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing to clean.
    }
    throw e;
  }
  fsyncDir(dirname(path));
}

export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse a directory fsync; the rename is still atomic.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** The longest prefix of `s` of at most `max` UTF-8 bytes, never splitting a character. */
function clipBytes(s: string, max: number): string {
  if (Buffer.byteLength(s, 'utf8') <= max) return s;
  let out = '';
  let n = 0;
  for (const ch of s) {
    const b = Buffer.byteLength(ch, 'utf8');
    if (n + b > max) break;
    out += ch;
    n += b;
  }
  return out;
}
