import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_158 } from './dialect.js';
import { volWipe } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.wipe',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158',
  why: `${LVM2_2_02_158.why} Wipe writes zeros or random data with dd over the LV's device in ranges (progress); it needs device-mapper.`,
  binaries: ['dd'],
  run: (ctx, input) => volWipe(ctx, input, LVM2_2_02_158)
});
