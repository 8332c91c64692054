import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { poolRefresh } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} Sizes come from the vgs report: capacity vg_size, available vg_free.`,
  binaries: ['vgs'],
  run: (ctx, input) => poolRefresh(ctx, input, SEPARATOR_DIALECT)
});
