// CHAP secrets for iSCSI pools. libvirt keeps a pool's password in its secret driver and the pool
// XML names it (<auth><secret uuid=... | usage=...>); the agent has no secret driver, so the caller
// provides the value as a file in the agent's home: `secrets/UUID` or `secrets/USAGE`, mode 0600,
// holding the password (one trailing newline is ignored). The runner reads it for the one
// operation that needs it and hands it to the scriptlet inside the pool's source
// (source.auth.password); it is never stored in a definition, written in XML or returned.
import { constants, fstatSync, openSync, readSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { PoolDefinition } from '../contracts/generated.js';
import { err, ok, type Result } from '../errors.js';

const MAX_SECRET_BYTES = 255;

export function secretsDir(home: string): string {
  return join(home, 'secrets');
}

/** The file name a secret reference maps to, or null when it cannot be one (a '/', '.', '..'). */
export function secretFileName(ref: { uuid?: string; usage?: string }): string | null {
  const name = ref.uuid ?? ref.usage;
  if (name === undefined || name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) return null;
  return name;
}

function readSecret(home: string, ref: { uuid?: string; usage?: string }, pool: string): Result<string> {
  const name = secretFileName(ref);
  const what = ref.uuid !== undefined ? `uuid ${ref.uuid}` : `usage ${JSON.stringify(ref.usage ?? '')}`;
  if (name === null) return err('INVALID_ARGUMENT', `pool ${pool}: the auth secret's ${what} cannot name a file in the secret store`);
  const file = join(secretsDir(home), name);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return err('INVALID_ARGUMENT', `pool ${pool}: no secret with ${what}: write the CHAP password to ${file} (mode 0600)`);
    if (code === 'EACCES' || code === 'EPERM') return err('PERMISSION_DENIED', `pool ${pool}: cannot read the secret ${file}`);
    return err('INVALID_ARGUMENT', `pool ${pool}: the secret ${file} cannot be read (${code ?? 'error'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return err('INVALID_ARGUMENT', `pool ${pool}: the secret ${file} is not a regular file`);
    if ((st.mode & 0o077) !== 0) return err('PERMISSION_DENIED', `pool ${pool}: the secret ${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): chmod 600 it`);
    const buf = Buffer.alloc(MAX_SECRET_BYTES + 2);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const value = buf.subarray(0, n).toString('utf8').replace(/\r?\n$/, '');
    if (value === '' || Buffer.byteLength(value) > MAX_SECRET_BYTES || /[\0\n]/.test(value)) {
      return err('INVALID_ARGUMENT', `pool ${pool}: the secret ${file} must hold one line of 1..${MAX_SECRET_BYTES} bytes`);
    }
    return ok(value);
  } finally {
    closeSync(fd);
  }
}

/** The definition a scriptlet gets: with the CHAP password filled in when the pool has <auth>. */
export function withSecrets(home: string, def: PoolDefinition): Result<PoolDefinition> {
  const auth = def.source?.auth;
  if (!auth) return ok(def);
  const value = readSecret(home, auth.secret, def.name);
  if (!value.ok) return value;
  return ok({ ...def, source: { ...def.source, auth: { ...auth, password: value.value } } });
}

/** A definition given by a caller must not carry a password (it would be stored or echoed). */
export function passwordProblem(def: PoolDefinition): string | null {
  return def.source?.auth?.password !== undefined ? 'source.auth.password cannot be given: put the CHAP password in the secret store (secrets/UUID or secrets/USAGE in the agent home)' : null;
}

/** What callers see of a run with a secret: the password never appears in argv (errors, plans). */
export function redactArgv<T>(r: T, def: PoolDefinition): T {
  const password = def.source?.auth?.password;
  if (password === undefined) return r;
  const hide = (argv: unknown) => (Array.isArray(argv) ? argv.map((a) => (typeof a === 'string' ? a.split(password).join('***') : a)) : argv);
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) o[k] = k === 'argv' ? hide(x) : walk(x);
      return o;
    }
    return v;
  };
  return walk(r) as T;
}
