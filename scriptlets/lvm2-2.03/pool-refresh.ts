import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { JSON_DIALECT_203 } from '../lib/lvm.js';
import { poolRefresh } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${JSON_DIALECT_203.why} Sizes come from the vgs report: capacity vg_size, available vg_free.`,
  binaries: ['vgs'],
  run: (ctx, input) => poolRefresh(ctx, input, JSON_DIALECT_203)
});
