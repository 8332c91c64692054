import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_158 } from './dialect.js';
import { poolRefresh } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158',
  why: `${LVM2_2_02_158.why} Sizes come from the vgs report: capacity vg_size, available vg_free.`,
  binaries: ['vgs'],
  run: (ctx, input) => poolRefresh(ctx, input, LVM2_2_02_158)
});
