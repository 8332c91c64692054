import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_03 } from './dialect.js';
import { volResize } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${LVM2_2_03.why} Resize grows with lvresize -L +DELTA (which can never reduce) and shrinks only when asked, with lvresize -f -L SIZE.`,
  binaries: ['lvs', 'lvresize'],
  run: (ctx, input) => volResize(ctx, input, LVM2_2_03)
});
