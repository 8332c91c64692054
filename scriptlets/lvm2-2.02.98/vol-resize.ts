import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_98 } from './dialect.js';
import { volResize } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98',
  why: `${LVM2_2_02_98.why} Resize grows with lvresize -L +DELTA (which can never reduce) and shrinks only when asked, with lvresize -f -L SIZE.`,
  binaries: ['lvs', 'lvresize'],
  run: (ctx, input) => volResize(ctx, input, LVM2_2_02_98)
});
