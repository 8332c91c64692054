// The pool's volumes: the disk LUNs of this agent's session to the target, sized by lsblk.
import { fail, type ScriptletContext, type ScriptletResult } from '../../runner/scriptlet/api.js';
import type { PoolDefinition, Volume } from '../../runner/contracts/generated.js';
import { ERR, iscsiadmFailure, nodeOf, parseSessions, sessionsArgv, volumeOf } from './iscsiadm.js';

export const LUN_BINARIES = ['iscsiadm', 'lsblk'] as const;

export async function listLuns(ctx: ScriptletContext, pool: PoolDefinition): Promise<ScriptletResult<Volume[]>> {
  const n = nodeOf(pool);
  if (!n.ok) return fail('INVALID_ARGUMENT', n.message);
  const r = await ctx.query`iscsiadm ${sessionsArgv()}`;
  // "iscsiadm: No active sessions." exits 21: no session, no volumes.
  if (r.failed && r.exitCode === ERR.NO_OBJS_FOUND) return { ok: true, value: [] };
  if (r.failed) return iscsiadmFailure(r, 'iscsiadm -m session');
  const mine = parseSessions(r.stdout).filter((s) => s.target === n.value.target && s.portal === n.value.portal);
  const disks = mine.flatMap((s) => s.luns).filter((l): l is { lun: number; disk: string } => l.disk !== null);
  if (disks.length === 0) return { ok: true, value: [] };
  const sizes = await ctx.query`lsblk -J -b -d -n -o NAME,SIZE ${disks.map((d) => `/dev/${d.disk}`)}`;
  if (sizes.failed) return fail('TOOL_FAILED', `lsblk could not size the LUNs' disks: ${sizes.stderr.trim().split('\n')[0] ?? ''}`, sizes);
  let parsed: { blockdevices?: { name?: unknown; size?: unknown }[] };
  try {
    parsed = JSON.parse(sizes.stdout) as typeof parsed;
  } catch {
    return fail('TOOL_FAILED', 'lsblk printed no JSON', sizes);
  }
  const vols: Volume[] = [];
  for (const d of disks) {
    const row = parsed.blockdevices?.find((b) => b.name === d.disk);
    const bytes = typeof row?.size === 'number' ? row.size : typeof row?.size === 'string' && /^[0-9]+$/.test(row.size) ? Number(row.size) : NaN;
    if (!Number.isSafeInteger(bytes)) return fail('TOOL_FAILED', `lsblk gave no size for /dev/${d.disk}`, sizes);
    vols.push(volumeOf(n.value, d.lun, bytes));
  }
  return { ok: true, value: vols.sort((a, b) => Number(a.extra?.['lun']) - Number(b.extra?.['lun'])) };
}
