// libiscsi 1.19's way to name a target and a LUN: one URL argument,
//   iscsi://[USER[%PASSWORD]@]HOST[:PORT]/TARGET-IQN/LUN
// (iscsi-ls takes the portal alone, iscsi://HOST:PORT/). libiscsi splits the credentials at the
// first '@' and the user from the password at '%' (or ':'), without any unescaping, so those
// characters cannot appear in them: such credentials are refused instead of mis-sent.
import type { PoolDefinition } from '../../runner/contracts/generated.js';

export const DEFAULT_PORT = 3260;

export interface Portal {
  host: string;
  port: number;
  /** The target's IQN (the pool's source device path). */
  target: string;
  initiator: string | undefined;
  user?: { name: string; password: string };
}

/** The pool's portal, target and credentials, or why the definition cannot be used. */
export function portalOf(pool: PoolDefinition): { ok: true; value: Portal } | { ok: false; message: string } {
  const host = pool.source?.hosts?.[0];
  const target = pool.source?.devices?.[0]?.path;
  if (!host) return { ok: false, message: `pool ${pool.name} has no source host` };
  if (!target) return { ok: false, message: `pool ${pool.name} has no target IQN (<source><device path='iqn...'/>)` };
  if (/[\s/]/.test(target)) return { ok: false, message: `target IQN ${JSON.stringify(target)} may not contain '/' or white space` };
  const p: Portal = { host: host.name, port: host.port ?? DEFAULT_PORT, target, initiator: pool.source?.initiator };
  const auth = pool.source?.auth;
  if (auth) {
    if (auth.password === undefined) return { ok: false, message: `pool ${pool.name} has CHAP auth but no secret value was provided` };
    if (/[%:@/]/.test(auth.username)) return { ok: false, message: `CHAP username ${JSON.stringify(auth.username)} may not contain '%', ':', '@' or '/' (libiscsi's URL cannot carry them)` };
    if (/[@/]/.test(auth.password)) return { ok: false, message: "the CHAP secret may not contain '@' or '/' (libiscsi's URL cannot carry them)" };
    p.user = { name: auth.username, password: auth.password };
  }
  return { ok: true, value: p };
}

/** HOST:PORT as URLs and keys write it (an IPv6 address in brackets). */
export function hostPort(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

/** The discovery URL iscsi-ls takes: iscsi://[CREDS@]HOST:PORT/ */
export function portalUrl(p: Pick<Portal, 'host' | 'port' | 'user'>): string {
  const creds = p.user ? `${p.user.name}%${p.user.password}@` : '';
  return `iscsi://${creds}${hostPort(p.host, p.port)}/`;
}

/** One LUN's URL, with the credentials when the pool has them. */
export function lunUrl(p: Portal, lun: number): string {
  return `${portalUrl(p)}${p.target}/${lun}`;
}

/** The initiator option, when the pool names an initiator IQN. */
export function initiatorArgs(p: Pick<Portal, 'initiator'>): string[] {
  return p.initiator ? ['-i', p.initiator] : [];
}

/** A volume's name as libvirt's iscsi-direct backend gives it. */
export const VOL_NAME_PREFIX = 'unit:0:0:';

export function lunOfName(name: string): number | null {
  if (!name.startsWith(VOL_NAME_PREFIX)) return null;
  const t = name.slice(VOL_NAME_PREFIX.length);
  if (!/^(0|[1-9][0-9]{0,4})$/.test(t)) return null;
  const n = Number(t);
  return n <= 16383 ? n : null;
}
