// Reading iscsi-ls 1.19's output. It has no machine-readable form (`--url` drops the LUNs), so
// its lines are read by their fixed labels:
//   Target:iqn.2026-12.test.agent:pool1 Portal:127.0.0.1:3267,1
//   Lun:0    Type:STORAGE_ARRAY_CONTROLLER
//   Lun:1    Type:DIRECT_ACCESS (Size:63M)
// With -s, iscsi-ls logs in to every target the portal offers; a target it cannot log in to gets
// an error line instead of its LUNs ("list_luns: iscsi_connect failed. Failed to log in to
// target. Status: Authentication failure(513)"), and the exit code is 10 as soon as one target
// failed, so each target's block is judged on its own. Errors go to stdout as well as stderr.
import type { ErrorCode } from '../../runner/contracts/generated.js';

export interface LsTarget {
  iqn: string;
  portals: string[];
  luns: { lun: number; type: string }[];
  /** The error line iscsi-ls printed for this target instead of its LUNs. */
  error?: string;
}

const TARGET_RE = /^Target:(\S+) Portal:(\S+)$/;
const LUN_RE = /^Lun:(\d+)\s+Type:([A-Z_]+)/;

export function parseIscsiLs(stdout: string): LsTarget[] {
  const out: LsTarget[] = [];
  let cur: LsTarget | null = null;
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const t = TARGET_RE.exec(line);
    if (t?.[1] && t[2]) {
      const same = out.find((x) => x.iqn === t[1]);
      if (same) {
        if (!same.portals.includes(t[2])) same.portals.push(t[2]);
        cur = same;
      } else {
        cur = { iqn: t[1], portals: [t[2]], luns: [] };
        out.push(cur);
      }
      continue;
    }
    const l = LUN_RE.exec(line);
    if (l?.[1] && l[2] && cur) {
      const lun = Number(l[1]);
      if (!cur.luns.some((x) => x.lun === lun)) cur.luns.push({ lun, type: l[2] });
      continue;
    }
    if (cur && cur.error === undefined && /fail|error/i.test(line)) cur.error = line;
  }
  return out;
}

/** The spec's code for a libiscsi failure message, with a sentence a person can act on. */
export function classifyIscsiError(text: string): { code: ErrorCode; message: string } {
  if (/Authentication failure/i.test(text)) return { code: 'PERMISSION_DENIED', message: 'the target refused the CHAP credentials (wrong username or secret, or the target needs CHAP)' };
  if (/Authorization failure/i.test(text)) return { code: 'PERMISSION_DENIED', message: 'the target does not allow this initiator (its ACL)' };
  if (/Target not found/i.test(text)) return { code: 'INVALID_ARGUMENT', message: 'the portal does not offer this target IQN' };
  if (/Connection refused|connection failed|socket error|No route|timed out|Name or service not known|resolve/i.test(text)) {
    return { code: 'TOOL_FAILED', message: 'cannot reach the iSCSI portal (no target listening at that host and port?)' };
  }
  if (/LOGICAL_UNIT_NOT_SUPPORTED/.test(text)) return { code: 'NO_VOLUME', message: 'the target has no such LUN' };
  return { code: 'TOOL_FAILED', message: 'libiscsi failed' };
}

/** iscsi-readcapacity16 -s prints the LUN's size in bytes alone. */
export function parseSizeOnly(stdout: string): number | null {
  const t = stdout.trim();
  if (!/^[0-9]{1,16}$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}
