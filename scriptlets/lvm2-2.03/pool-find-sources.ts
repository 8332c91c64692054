import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_03 } from './dialect.js';
import { poolFindSources } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${LVM2_2_03.why} Sources are the VGs of the pvs report with their PVs (orphan PVs are no pool).`,
  binaries: ['pvs'],
  run: (ctx, input) => poolFindSources(ctx, input, LVM2_2_03)
});
