import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { poolFindSources } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} Sources are the VGs of the pvs report with their PVs (orphan PVs are no pool).`,
  binaries: ['pvs'],
  run: (ctx, input) => poolFindSources(ctx, input, SEPARATOR_DIALECT)
});
