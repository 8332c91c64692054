import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { volResize } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} Resize grows with lvresize -L +DELTA (which can never reduce) and shrinks only when asked, with lvresize -f -L SIZE.`,
  binaries: ['lvs', 'lvresize'],
  run: (ctx, input) => volResize(ctx, input, SEPARATOR_DIALECT)
});
