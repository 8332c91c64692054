import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_03 } from './dialect.js';
import { poolStop } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${LVM2_2_03.why} Stop is vgchange -an; without device-mapper nothing was activated and stop runs nothing.`,
  binaries: ['vgchange'],
  run: (ctx, input) => poolStop(ctx, input, LVM2_2_03)
});
