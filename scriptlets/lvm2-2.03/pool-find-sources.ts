import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { JSON_DIALECT_203 } from '../lib/lvm.js';
import { poolFindSources } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.3.0 <2.4.0',
  why: `${JSON_DIALECT_203.why} Sources are the VGs of the pvs report with their PVs (orphan PVs are no pool).`,
  binaries: ['pvs'],
  run: (ctx, input) => poolFindSources(ctx, input, JSON_DIALECT_203)
});
