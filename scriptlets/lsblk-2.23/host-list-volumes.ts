// host.listVolumes with util-linux 2.23..2.26: no JSON yet, so `lsblk -P` (KEY="value" pairs, one
// device per line, flat).
//
// The argv is exactly `lsblk --bytes --pairs --all`, the command whose real output on CentOS 7
// (util-linux 2.23.2) was pasted in github.com/balena-io-modules/drivelist/issues/292
// (golden/lsblk-2.23.2), so that golden is a whole run. With no -o, lsblk prints its default
// columns; COLUMNS is that list as 2.23..2.26 print it. The parser insists on exactly these keys in
// this order, so a release with other defaults fails loudly (TOOL_FAILED) instead of being misread.
// --all also lists devices without media (SIZE="", read as 0 bytes). No KNAME/PKNAME: the path is
// built from NAME and TYPE as lsblk builds it (device-mapper types are /dev/mapper/NAME; since 2.23
// NAME is the plain DM name), and `parent` is not set.
import { defineScriptlet } from '../../runner/scriptlet/api.js';
import type { HostVolume } from '../../runner/contracts/generated.js';
import { listWith, pairsToVolumes, parsePairs, type Parsed } from '../lib/lsblk.js';

/** lsblk's default columns in 2.23..2.26 (what `--pairs` without -o prints). */
export const COLUMNS = ['NAME', 'MAJ:MIN', 'RM', 'SIZE', 'RO', 'TYPE', 'MOUNTPOINT'] as const;

export function listVolumesArgv(): string[] {
  return ['lsblk', '--bytes', '--pairs', '--all'];
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
  versions: '>=2.23.0',
  why:
    'lsblk -P/--pairs exists since util-linux 2.20 (v2.20 ReleaseNotes); 2.23 dropped the " (dm-N)" suffix from device-mapper NAMEs ' +
    '(util-linux commit c7e76cd1, per util-linux issue #1153), so NAME is the DM name; JSON output came in 2.27 (v2.27 ReleaseNotes), served by lsblk-2.27',
  binaries: ['lsblk'],
  run: (ctx) => listWith(ctx, listVolumesArgv(), parseListVolumes, '-P')
});
