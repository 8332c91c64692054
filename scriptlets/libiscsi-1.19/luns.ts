// The pool's volumes: the target's direct-access LUNs (disks), each sized by READ CAPACITY(16).
// iscsi-ls -s finds the LUNs and their types (a target's LUN 0 is often a 0-byte controller,
// which is no volume: libvirt's iscsi-direct lists it with capacity 0, the agent does not);
// iscsi-readcapacity16 -s gives each LUN's exact size ((last LBA + 1) x block length; iscsi-ls
// rounds to whole MiB, and libvirt's backend counts one block short).
import { fail, type CommandResult, type ScriptletContext, type ScriptletResult } from '../../runner/scriptlet/api.js';
import type { PoolDefinition, Volume } from '../../runner/contracts/generated.js';
import { classifyIscsiError, parseIscsiLs, parseSizeOnly } from './iscsi-ls.js';
import { hostPort, initiatorArgs, lunUrl, portalOf, portalUrl, VOL_NAME_PREFIX, type Portal } from './portal.js';

export const LS_BINARIES = ['iscsi-ls', 'iscsi-readcapacity16'] as const;

function failedWith(r: CommandResult, text: string, what: string): { ok: false; error: { code: never; message: string; command: CommandResult } } {
  const c = classifyIscsiError(text);
  return fail(c.code, `${what}: ${c.message}${text ? ` (${firstLine(text)})` : ''}`, r) as never;
}

const firstLine = (s: string) => s.trim().split('\n').find((l) => l.trim() !== '')?.trim() ?? '';

/** The one target's LUN list, or the error the portal gave for it. */
async function targetLuns(ctx: ScriptletContext, p: Portal): Promise<ScriptletResult<{ lun: number; type: string }[]>> {
  const r = await ctx.query`iscsi-ls -s ${initiatorArgs(p)} ${portalUrl(p)}`;
  const targets = parseIscsiLs(r.stdout);
  const mine = targets.find((t) => t.iqn === p.target);
  if (!mine) {
    if (r.failed && targets.length === 0) return failedWith(r, `${r.stdout}\n${r.stderr}`, `cannot list the targets of ${hostPort(p.host, p.port)}`);
    return fail('INVALID_ARGUMENT', `the portal ${hostPort(p.host, p.port)} does not offer target ${p.target} (it offers: ${targets.map((t) => t.iqn).join(', ') || 'none'})`, r);
  }
  if (mine.error !== undefined) return failedWith(r, mine.error, `cannot log in to ${p.target} at ${hostPort(p.host, p.port)}`);
  if (r.timedOut || r.truncated) return fail(r.timedOut ? 'TIMEOUT' : 'TOOL_FAILED', 'iscsi-ls did not finish', r);
  return { ok: true, value: mine.luns };
}

export function volumeOf(p: Portal, lun: number, bytes: number): Volume {
  const portal = hostPort(p.host, p.port);
  return {
    name: `${VOL_NAME_PREFIX}${lun}`,
    // libvirt's iscsi-direct key (a by-path-like name); the path is the URL QEMU opens.
    key: `ip-${portal}-iscsi-${p.target}-lun-${lun}`,
    path: `iscsi://${portal}/${p.target}/${lun}`,
    type: 'network',
    capacity: bytes,
    allocation: bytes,
    format: 'raw',
    extra: { lun }
  };
}

export async function listVolumes(ctx: ScriptletContext, pool: PoolDefinition): Promise<ScriptletResult<Volume[]>> {
  const portal = portalOf(pool);
  if (!portal.ok) return fail('INVALID_ARGUMENT', portal.message);
  const p = portal.value;
  const luns = await targetLuns(ctx, p);
  if (!luns.ok) return luns;
  const vols: Volume[] = [];
  for (const { lun, type } of luns.value) {
    if (type !== 'DIRECT_ACCESS') continue;
    const r = await ctx.query`iscsi-readcapacity16 -s ${initiatorArgs(p)} ${lunUrl(p, lun)}`;
    if (r.failed) return failedWith(r, `${r.stdout}\n${r.stderr}`, `cannot read the size of LUN ${lun} of ${p.target}`);
    const bytes = parseSizeOnly(r.stdout);
    if (bytes === null) return fail('TOOL_FAILED', `iscsi-readcapacity16 printed no size for LUN ${lun}: ${JSON.stringify(r.stdout.slice(0, 200))}`, r);
    vols.push(volumeOf(p, lun, bytes));
  }
  return { ok: true, value: vols };
}
