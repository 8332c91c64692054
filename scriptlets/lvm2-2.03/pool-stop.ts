import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { JSON_DIALECT_203 } from '../lib/lvm.js';
import { poolStop } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${JSON_DIALECT_203.why} Stop is vgchange -an; without device-mapper nothing was activated and stop runs nothing.`,
  binaries: ['vgchange'],
  run: (ctx, input) => poolStop(ctx, input, JSON_DIALECT_203)
});
