import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_03 } from './dialect.js';
import { volDelete } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.delete',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${LVM2_2_03.why} Delete is lvremove -f of one LV, refused for origins with snapshots and thin pools with volumes.`,
  binaries: ['lvs', 'lvremove'],
  run: (ctx, input) => volDelete(ctx, input, LVM2_2_03)
});
