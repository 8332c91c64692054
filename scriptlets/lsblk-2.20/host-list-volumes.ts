// host.listVolumes with util-linux 2.20..2.22: `lsblk -P` (KEY="value" pairs), the first output
// form of lsblk that is safe to parse (2.19, the first lsblk, has only the tree and an unescaped
// raw mode). There is no PKNAME column yet and the pairs output is flat, so `parent` is not set.
import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import type { HostVolume } from '../../runner/contracts/generated.js';
import { lsblkFailure, pairsToVolumes, parsePairs, type Parsed } from '../lib/lsblk.js';

export const COLUMNS = ['NAME', 'KNAME', 'SIZE', 'TYPE', 'FSTYPE', 'MOUNTPOINT', 'RO'] as const;

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
  versions: '>=2.20.0 <2.23.0',
  why:
    'util-linux 2.20 added lsblk --pairs and the TYPE column (v2.20 ReleaseNotes: "support new command line option --pairs to enable ' +
    'key=\\"value\\" output format"); PKNAME, needed for the parent, only came in 2.23 (lsblk-2.23)',
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
