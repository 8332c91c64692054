import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_98 } from './dialect.js';
import { poolDelete } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.delete',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98',
  why: `${LVM2_2_02_98.why} Delete refuses a VG that still has LVs (POOL_BUSY), then vgremove and pvremove of its devices.`,
  binaries: ['lvs', 'pvs', 'vgremove', 'pvremove'],
  run: (ctx, input) => poolDelete(ctx, input, LVM2_2_02_98)
});
