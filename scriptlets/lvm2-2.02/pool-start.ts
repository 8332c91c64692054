import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { poolStart } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} Start is vgchange -ay; without device-mapper nothing can be activated and start only checks that the VG is there.`,
  binaries: ['vgs', 'vgchange'],
  run: (ctx, input) => poolStart(ctx, input, SEPARATOR_DIALECT)
});
