import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { JSON_DIALECT_203 } from '../lib/lvm.js';
import { volWipe } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.wipe',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${JSON_DIALECT_203.why} Wipe writes zeros or random data with dd over the LV's device in ranges (progress), and into a thin volume checks its pool's free space first and its state after (a full pool is NO_SPACE); it needs device-mapper.`,
  binaries: ['dd', 'lvs'],
  run: (ctx, input) => volWipe(ctx, input, JSON_DIALECT_203)
});
