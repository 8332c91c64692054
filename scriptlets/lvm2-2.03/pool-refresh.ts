import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_03 } from './dialect.js';
import { poolRefresh } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${LVM2_2_03.why} Sizes come from the vgs report: capacity vg_size, available vg_free.`,
  binaries: ['vgs'],
  run: (ctx, input) => poolRefresh(ctx, input, LVM2_2_03)
});
