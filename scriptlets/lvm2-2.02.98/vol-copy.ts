import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_98 } from './dialect.js';
import { volCopy } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.copy',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98',
  why: `${LVM2_2_02_98.why} Copy creates a linear LV (thin only in the thinPool asked for, after checking its free space) and fills it with qemu-img convert -p -n -t none ... -O raw (progress, O_DIRECT so refused writes fail it), then checks the thin pool's state; the LV is removed if the copy fails or the pool shows loss (NO_SPACE); it needs device-mapper.`,
  binaries: ['lvs', 'lvcreate', 'lvremove', 'qemu-img'],
  run: (ctx, input) => volCopy(ctx, input, LVM2_2_02_98)
});
