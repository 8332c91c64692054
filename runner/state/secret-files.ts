// A caller's LUKS passphrase, handed to qemu-img as a file (`--object secret,id=...,file=PATH`),
// never on a command line, in a log, a plan or a golden: the file lives in the home's luks-keys/
// directory luks-keys/ (0700) as luks-keys/<pid>-<random>/key (0600), only while the one request runs, and is
// removed after it whatever happened. A killed agent's leftovers are removed at the next start
// (the directory names the PID that made it).
import { mkdirSync, readdirSync, rmSync, writeFileSync, openSync, fstatSync, readSync, closeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { err, ok, type Result } from '../errors.js';

const MAX_KEY = 64 * 1024;
// Not secrets/: that folder holds the callers' own CHAP secrets (service/secrets.ts), which the
// start-up sweep here must never touch.
const KEY_DIR = 'luks-keys';

export type SecretSource = { passphrase: string } | { keyFile: string };

/** The secret's bytes: the passphrase as UTF-8, or a key file's content (a regular file, at most 64 KiB). */
export function secretBytes(s: SecretSource): Result<Buffer> {
  if ('passphrase' in s) return s.passphrase === '' ? err('INVALID_ARGUMENT', 'the passphrase is empty', { field: 'secret' }) : ok(Buffer.from(s.passphrase, 'utf8'));
  let fd = -1;
  try {
    fd = openSync(s.keyFile, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFile()) return err('INVALID_ARGUMENT', 'secret.keyFile is not a regular file', { field: 'secret.keyFile' });
    if (st.size === 0 || st.size > MAX_KEY) return err('INVALID_ARGUMENT', `secret.keyFile must hold 1 to ${MAX_KEY} bytes`, { field: 'secret.keyFile' });
    const buf = Buffer.alloc(st.size);
    const n = readSync(fd, buf, 0, st.size, 0);
    return ok(buf.subarray(0, n));
  } catch (e) {
    const code = (e as { code?: string }).code;
    return err(code === 'EACCES' || code === 'EPERM' ? 'PERMISSION_DENIED' : 'INVALID_ARGUMENT', `cannot read secret.keyFile: ${code ?? 'error'}`, { field: 'secret.keyFile' });
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Run `fn` with the secret in a private file; the file is gone when it returns. */
export async function withSecretFile<T>(home: string, secret: Buffer, fn: (path: string) => Promise<T>): Promise<T> {
  const base = join(home, KEY_DIR);
  mkdirSync(base, { recursive: true, mode: 0o700 });
  const dir = join(base, `${process.pid}-${randomBytes(8).toString('hex')}`);
  mkdirSync(dir, { mode: 0o700 });
  try {
    const path = join(dir, 'key');
    writeFileSync(path, secret, { mode: 0o600, flag: 'wx' });
    return await fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Start-up: remove secret directories of agents that are gone. */
export function sweepSecretFiles(home: string, alive: (pid: number) => boolean): void {
  const base = join(home, KEY_DIR);
  let names: string[];
  try {
    names = readdirSync(base);
  } catch {
    return;
  }
  for (const n of names) {
    const pid = Number(n.split('-')[0]);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) continue;
    if (pid === process.pid) continue;
    rmSync(join(base, n), { recursive: true, force: true });
  }
}
