import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_98 } from './dialect.js';
import { volGet } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.get',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98',
  why: `${LVM2_2_02_98.why} One volume is picked by name from the lvs report of the VG (as vol.list).`,
  binaries: ['lvs'],
  run: (ctx, input) => volGet(ctx, input, LVM2_2_02_98)
});
