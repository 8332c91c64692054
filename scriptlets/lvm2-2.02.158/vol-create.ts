import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_158 } from './dialect.js';
import { volCreate } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.create',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158',
  why: `${LVM2_2_02_158.why} Create is a linear lvcreate; with device-mapper, a thin one when the VG has a thin pool or allocation < capacity asks for one.`,
  binaries: ['lvs', 'lvcreate'],
  run: (ctx, input) => volCreate(ctx, input, LVM2_2_02_158)
});
