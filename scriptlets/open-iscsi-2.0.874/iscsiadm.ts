// iscsiadm as the iscsi pool scriptlets use it: argv builders, output parsers and the exit-code
// table (open-iscsi include/iscsi_err.h), which says more than the messages do.
import { fail, toolFailed, type CommandResult, type ScriptletError } from '../../runner/scriptlet/api.js';
import type { PoolDefinition, Volume } from '../../runner/contracts/generated.js';

export const DEFAULT_PORT = 3260;

export interface Node {
  target: string;
  /** HOST:PORT as iscsiadm takes it ([v6]:PORT). */
  portal: string;
  host: string;
  port: number;
}

export function portalArg(host: string, port: number): string {
  return `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

export function nodeOf(pool: PoolDefinition): { ok: true; value: Node } | { ok: false; message: string } {
  const h = pool.source?.hosts?.[0];
  const target = pool.source?.devices?.[0]?.path;
  if (!h) return { ok: false, message: `pool ${pool.name} has no source host` };
  if (!target) return { ok: false, message: `pool ${pool.name} has no target IQN (<source><device path='iqn...'/>)` };
  if (/\s/.test(target) || target.startsWith('-')) return { ok: false, message: `target IQN ${JSON.stringify(target)} may not start with '-' or contain white space` };
  const port = h.port ?? DEFAULT_PORT;
  return { ok: true, value: { target, portal: portalArg(h.name, port), host: h.name, port } };
}

const node = (n: Node) => ['-m', 'node', '-T', n.target, '-p', n.portal];
export const discoveryArgv = (portal: string): string[] => ['-m', 'discovery', '-t', 'sendtargets', '-p', portal, '-o', 'nonpersistent'];
export const nodeNewArgv = (n: Node): string[] => [...node(n), '-o', 'new'];
export const nodeUpdateArgv = (n: Node, key: string, value: string): string[] => [...node(n), '-o', 'update', '-n', key, '-v', value];
export const nodeDeleteArgv = (n: Node): string[] => [...node(n), '-o', 'delete'];
export const loginArgv = (n: Node): string[] => [...node(n), '--login'];
export const logoutArgv = (n: Node): string[] => [...node(n), '--logout'];
export const sessionsArgv = (): string[] => ['-m', 'session', '-P', '3'];

/** iscsi_err.h codes the scriptlets judge by. */
export const ERR = { TRANS: 4, LOGIN: 5, TRANS_TIMEOUT: 8, TRANS_NOT_FOUND: 12, SESS_EXISTS: 15, ISCSID_COMM_ERR: 18, FATAL_LOGIN: 19, ISCSID_NOTCONN: 20, NO_OBJS_FOUND: 21, LOGIN_AUTH_FAILED: 24 } as const;

/** The spec's code for a failed iscsiadm, from its exit code. */
export function iscsiadmFailure(r: CommandResult, what: string): { ok: false; error: ScriptletError } {
  switch (r.exitCode) {
    case ERR.TRANS_NOT_FOUND:
      return fail('UNSUPPORTED', `${what}: this host has no kernel iSCSI initiator (the iscsi_tcp module is missing)`, r);
    case ERR.ISCSID_NOTCONN:
    case ERR.ISCSID_COMM_ERR:
      return fail('TOOL_FAILED', `${what}: iscsid is not running (start it; it needs the kernel's iscsi_tcp)`, r);
    case ERR.LOGIN_AUTH_FAILED:
      return fail('PERMISSION_DENIED', `${what}: the target refused the CHAP credentials`, r);
    case ERR.FATAL_LOGIN:
      return fail('PERMISSION_DENIED', `${what}: the target refused the login (its ACL, or CHAP)`, r);
    case ERR.TRANS:
    case ERR.TRANS_TIMEOUT:
      return fail('TOOL_FAILED', `${what}: cannot reach the iSCSI portal`, r);
    case ERR.NO_OBJS_FOUND:
      return fail('INVALID_ARGUMENT', `${what}: no such target or node record`, r);
    default:
      return toolFailed(r, what);
  }
}

/** Discovery's "ADDR:PORT,TPGT IQN" lines: target IQNs in order, once each. */
export function parseDiscovery(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\S+,\d+\s+(\S+)\s*$/.exec(line.trim());
    if (m?.[1] && !out.includes(m[1])) out.push(m[1]);
  }
  return out;
}

export interface SessionLun {
  lun: number;
  disk: string | null;
}

/** `-m session -P 3`: for each target and current portal, its LUNs and their disks. */
export function parseSessions(stdout: string): { target: string; portal: string; luns: SessionLun[] }[] {
  const out: { target: string; portal: string; luns: SessionLun[] }[] = [];
  let cur: { target: string; portal: string; luns: SessionLun[] } | null = null;
  let lun: SessionLun | null = null;
  for (const line of stdout.split('\n')) {
    const t = /^Target: (\S+)/.exec(line);
    if (t?.[1]) {
      cur = { target: t[1], portal: '', luns: [] };
      out.push(cur);
      lun = null;
      continue;
    }
    if (!cur) continue;
    const p = /^\s*Current Portal: (\S+),\d+\s*$/.exec(line);
    if (p?.[1]) {
      // A second session of the same target (another portal) starts a new entry.
      if (cur.portal !== '') {
        cur = { target: cur.target, portal: p[1], luns: [] };
        out.push(cur);
      } else cur.portal = p[1];
      continue;
    }
    const l = /^\s*scsi\d+ Channel \d+ Id \d+ Lun: (\d+)\s*$/.exec(line);
    if (l?.[1]) {
      lun = { lun: Number(l[1]), disk: null };
      cur.luns.push(lun);
      continue;
    }
    const d = /^\s*Attached scsi disk (\S+)/.exec(line);
    if (d?.[1] && lun) lun.disk = d[1];
  }
  return out;
}

export function volumeOf(n: Node, lun: number, bytes: number): Volume {
  // udev's by-path name for an iSCSI LUN (and libvirt's iscsi pool target, /dev/disk/by-path).
  const path = `/dev/disk/by-path/ip-${n.portal}-iscsi-${n.target}-lun-${lun}`;
  return { name: `unit:0:0:${lun}`, key: path, path, type: 'block', capacity: bytes, allocation: bytes, format: 'raw', extra: { lun } };
}
