import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { poolStop } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} Stop is vgchange -an; without device-mapper nothing was activated and stop runs nothing.`,
  binaries: ['vgchange'],
  run: (ctx, input) => poolStop(ctx, input, SEPARATOR_DIALECT)
});
