import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { volDelete } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.delete',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} Delete is lvremove -f of one LV, refused for origins with snapshots and thin pools with volumes.`,
  binaries: ['lvs', 'lvremove'],
  run: (ctx, input) => volDelete(ctx, input, SEPARATOR_DIALECT)
});
