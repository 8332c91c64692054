import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_158 } from './dialect.js';
import { poolStop } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158',
  why: `${LVM2_2_02_158.why} Stop is vgchange -an; without device-mapper nothing was activated and stop runs nothing.`,
  binaries: ['vgchange'],
  run: (ctx, input) => poolStop(ctx, input, LVM2_2_02_158)
});
