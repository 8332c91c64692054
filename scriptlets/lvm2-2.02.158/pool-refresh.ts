import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { JSON_DIALECT_202 } from '../lib/lvm.js';
import { poolRefresh } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158 <2.3.0',
  why: `${JSON_DIALECT_202.why} Sizes come from the vgs report: capacity vg_size, available vg_free.`,
  binaries: ['vgs'],
  run: (ctx, input) => poolRefresh(ctx, input, JSON_DIALECT_202)
});
