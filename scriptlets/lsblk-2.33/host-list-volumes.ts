// host.listVolumes with util-linux 2.33 and later: one `lsblk --json` tree of every block device,
// with the PATH column and typed JSON values.
import { defineScriptlet } from '../../runner/scriptlet/api.js';
import type { HostVolume } from '../../runner/contracts/generated.js';
import { listWith, parseJsonVolumes, type Parsed } from '../lib/lsblk.js';

/** Columns asked for: PATH gives the real node (/dev/mapper/... for DM devices), RO is a boolean. */
export const COLUMNS = ['NAME', 'PATH', 'SIZE', 'TYPE', 'FSTYPE', 'MOUNTPOINT', 'RO'] as const;

/** No device arguments: lsblk lists every block device of the host (RAM disks excepted). */
export function listVolumesArgv(): string[] {
  return ['lsblk', '--json', '--bytes', '-o', COLUMNS.join(',')];
}

/** The tree flattened depth first, `parent` = the enclosing device's NAME, each device once. */
export function parseListVolumes(stdout: string): Parsed<HostVolume[]> {
  return parseJsonVolumes(stdout, { pathColumn: true });
}

export default defineScriptlet({
  operation: 'host.listVolumes',
  poolTypes: ['host'],
  tool: 'lsblk',
  versions: '>=2.33.0',
  why:
    'util-linux 2.33 added the lsblk PATH column ("lsblk: add PATH column") and made libsmartcols JSON typed ' +
    '(numbers, booleans, null; v2.33 ReleaseNotes: "differentiate between numbers, booleans and strings in JSON output")',
  binaries: ['lsblk'],
  run: (ctx) => listWith(ctx, listVolumesArgv(), parseListVolumes, '--json')
});
