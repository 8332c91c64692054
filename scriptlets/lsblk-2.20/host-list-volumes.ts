// host.listVolumes with util-linux 2.20..2.22: `lsblk -P` (KEY="value" pairs), the first output
// form of lsblk that is safe to parse (2.19, the first lsblk, has only the tree and an unescaped
// raw mode). The pairs output is flat and there is no PKNAME column yet, so `parent` is not set.
//
// The argv is exactly the command whose real output on Ubuntu 14.04 (util-linux 2.20.1) was pasted
// in github.com/sebhildebrandt/systeminformation/issues/266 (golden/lsblk-2.20.1), so that golden
// is a whole run. Of its columns the parser uses NAME, TYPE, SIZE, FSTYPE, MOUNTPOINT and RO; the
// others (UUID, ROTA, RM, LABEL, MODEL, OWNER, GROUP) are read to keep the record honest and
// ignored. Without KNAME the node path is built from NAME: releases before 2.23 print a
// device-mapper device's NAME as "<dm name> (dm-N)", which gives both the DM name and the kernel
// name (see pairsToVolumes).
import { defineScriptlet } from '../../runner/scriptlet/api.js';
import type { HostVolume } from '../../runner/contracts/generated.js';
import { listWith, pairsToVolumes, parsePairs, type Parsed } from '../lib/lsblk.js';

export const COLUMNS = ['NAME', 'TYPE', 'SIZE', 'FSTYPE', 'MOUNTPOINT', 'UUID', 'ROTA', 'RO', 'RM', 'LABEL', 'MODEL', 'OWNER', 'GROUP'] as const;

/** `lsblk -bPo COLUMNS`: -b sizes in bytes, -P pairs, -o the column list. */
export function listVolumesArgv(): string[] {
  return ['lsblk', '-bPo', COLUMNS.join(',')];
}

export function parseListVolumes(stdout: string): Parsed<HostVolume[]> {
  const rows = parsePairs(stdout, COLUMNS);
  if (!rows.ok) return rows;
  return pairsToVolumes(rows.value, { dmNameSuffix: true });
}

export default defineScriptlet({
  operation: 'host.listVolumes',
  poolTypes: ['host'],
  tool: 'lsblk',
  versions: '>=2.20.0',
  why:
    'util-linux 2.20 added lsblk --pairs and the TYPE column (v2.20 ReleaseNotes: "support new command line option --pairs to enable ' +
    'key=\\"value\\" output format"); 2.23 dropped the " (dm-N)" suffix from device-mapper NAMEs (util-linux commit c7e76cd1, Mar 2013, per util-linux issue #1153), ' +
    'served by lsblk-2.23',
  binaries: ['lsblk'],
  run: (ctx) => listWith(ctx, listVolumesArgv(), parseListVolumes, '-P')
});
