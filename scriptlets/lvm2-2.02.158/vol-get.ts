import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { JSON_DIALECT_202 } from '../lib/lvm.js';
import { volGet } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.get',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158 <2.3.0',
  why: `${JSON_DIALECT_202.why} One volume is picked by name from the lvs report of the VG (as vol.list).`,
  binaries: ['lvs'],
  run: (ctx, input) => volGet(ctx, input, JSON_DIALECT_202)
});
