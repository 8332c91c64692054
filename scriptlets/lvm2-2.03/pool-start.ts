import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_03 } from './dialect.js';
import { poolStart } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${LVM2_2_03.why} Start is vgchange -ay; without device-mapper nothing can be activated and start only checks that the VG is there.`,
  binaries: ['vgs', 'vgchange'],
  run: (ctx, input) => poolStart(ctx, input, LVM2_2_03)
});
