import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_158 } from './dialect.js';
import { poolBuild } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.build',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158',
  why: `${LVM2_2_02_158.why} Build probes each source device with blkid -p (any signature answers ALREADY_BUILT), or with overwrite refuses PVs that belong to a VG and wipes the rest with wipefs -a; then pvcreate and vgcreate, removing the new PV labels again if vgcreate fails.`,
  binaries: ['blkid', 'wipefs', 'pvs', 'pvcreate', 'vgcreate', 'pvremove'],
  run: (ctx, input) => poolBuild(ctx, input, LVM2_2_02_158)
});
