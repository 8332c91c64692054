import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { volGet } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.get',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} One volume is picked by name from the lvs report of the VG (as vol.list).`,
  binaries: ['lvs'],
  run: (ctx, input) => volGet(ctx, input, SEPARATOR_DIALECT)
});
