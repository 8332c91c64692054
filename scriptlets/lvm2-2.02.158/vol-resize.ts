import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { JSON_DIALECT_202 } from '../lib/lvm.js';
import { volResize } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158 <2.3.0',
  why: `${JSON_DIALECT_202.why} Resize grows with lvresize -L +DELTA (which can never reduce) and shrinks only when asked, with lvresize -f -L SIZE.`,
  binaries: ['lvs', 'lvresize'],
  run: (ctx, input) => volResize(ctx, input, JSON_DIALECT_202)
});
