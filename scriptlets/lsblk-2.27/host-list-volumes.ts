// host.listVolumes with util-linux 2.27..2.32: `lsblk --json` (every value a string, no PATH
// column). The argv is the one recorded as shared/recordings/lsblk-*/12-json-all-devices.json, so
// the goldens of 2.27.1, 2.31.1 and 2.32.1 are whole runs.
import { defineScriptlet } from '../../runner/scriptlet/api.js';
import type { HostVolume } from '../../runner/contracts/generated.js';
import { listWith, parseJsonVolumes, type Parsed } from '../lib/lsblk.js';

/**
 * NAME,SIZE,TYPE,MOUNTPOINT: the whole-host listing recorded for every old release. The path is
 * built as lsblk builds it (/dev/NAME, /dev/mapper/NAME for device-mapper types); FSTYPE and RO
 * are not asked for, so `fstype` and `readOnly` stay unset in this series.
 */
export const COLUMNS = ['NAME', 'SIZE', 'TYPE', 'MOUNTPOINT'] as const;

export function listVolumesArgv(): string[] {
  return ['lsblk', '--json', '--bytes', '-o', COLUMNS.join(',')];
}

export function parseListVolumes(stdout: string): Parsed<HostVolume[]> {
  return parseJsonVolumes(stdout, { pathColumn: false });
}

export default defineScriptlet({
  operation: 'host.listVolumes',
  poolTypes: ['host'],
  tool: 'lsblk',
  versions: '>=2.27.0',
  why:
    'util-linux 2.27 added JSON output to libsmartcols and lsblk (v2.27 ReleaseNotes: "lsblk ... provide output in JSON format"), ' +
    'with every value a string; 2.33 added the PATH column and typed JSON, served by lsblk-2.33',
  binaries: ['lsblk'],
  run: (ctx) => listWith(ctx, listVolumesArgv(), parseListVolumes, '--json')
});
