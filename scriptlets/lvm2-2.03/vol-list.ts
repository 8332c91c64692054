import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_03 } from './dialect.js';
import { volList } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.list',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${LVM2_2_03.why} Volumes are the lvs report of the VG; thin pools, thin volumes and snapshots get a second lvs for pool_lv, data_percent and origin_size.`,
  binaries: ['lvs'],
  run: (ctx, input) => volList(ctx, input, LVM2_2_03)
});
