// host.listVolumes with util-linux 2.23..2.26: no JSON yet, so `lsblk -P` (KEY="value" pairs, one
// device per line). PKNAME (new in 2.23) names each device's parent.
import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import type { HostVolume } from '../../runner/contracts/generated.js';
import { lsblkFailure, pairsToVolumes, parsePairs, type Parsed } from '../lib/lsblk.js';

/** KNAME tells device-mapper devices (dm-N) apart for the path; PKNAME gives the parent. */
export const COLUMNS = ['NAME', 'KNAME', 'PKNAME', 'SIZE', 'TYPE', 'FSTYPE', 'MOUNTPOINT', 'RO'] as const;

export function listVolumesArgv(): string[] {
  return ['lsblk', '-P', '--bytes', '-o', COLUMNS.join(',')];
}

export function parseListVolumes(stdout: string): Parsed<HostVolume[]> {
  const rows = parsePairs(stdout, COLUMNS);
  if (!rows.ok) return rows;
  return pairsToVolumes(rows.value);
}

export default defineScriptlet({
  operation: 'host.listVolumes',
  poolTypes: ['host'],
  tool: 'lsblk',
  versions: '>=2.23.0 <2.27.0',
  why:
    'lsblk -P/--pairs exists since util-linux 2.20; the PKNAME column ("lsblk: add parent kernel name column") came in 2.23; ' +
    'JSON output came in 2.27 (lsblk-2.27). Sources: v2.20, v2.23 and v2.27 ReleaseNotes',
  binaries: ['lsblk'],
  async run(ctx) {
    const argv = listVolumesArgv();
    const r = await ctx.query`lsblk ${argv.slice(1)}`;
    if (r.failed) return { ok: false, error: lsblkFailure(r, 'lsblk') };
    if (r.truncated) return fail('TOOL_FAILED', 'lsblk output exceeded the output cap', r);
    const parsed = parseListVolumes(r.stdout);
    if (!parsed.ok) return fail('TOOL_FAILED', `could not read lsblk -P output: ${parsed.message}`, r);
    return done({ volumes: parsed.value });
  }
});
