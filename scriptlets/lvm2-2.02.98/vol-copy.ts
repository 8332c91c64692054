import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_98 } from './dialect.js';
import { volCopy } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.copy',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98',
  why: `${LVM2_2_02_98.why} Copy creates the LV and fills it with qemu-img convert -p -n ... -O raw (progress), removing the LV if the copy fails; it needs device-mapper.`,
  binaries: ['lvs', 'lvcreate', 'lvremove', 'qemu-img'],
  run: (ctx, input) => volCopy(ctx, input, LVM2_2_02_98)
});
