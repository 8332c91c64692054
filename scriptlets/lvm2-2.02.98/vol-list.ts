import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_98 } from './dialect.js';
import { volList } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.list',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98',
  why: `${LVM2_2_02_98.why} Volumes are the lvs report of the VG; thin pools, thin volumes and snapshots get a second lvs for pool_lv, data_percent and origin_size.`,
  binaries: ['lvs'],
  run: (ctx, input) => volList(ctx, input, LVM2_2_02_98)
});
