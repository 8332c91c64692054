import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import { listVolumes, LS_BINARIES } from './luns.js';
import { lunOfName } from './portal.js';

// By name (unit:0:0:LUN): the LUN must be one of the target's disks, so the target is listed
// (one login) rather than the LUN probed alone, which cannot tell a controller from a disk.
export default defineScriptlet({
  operation: 'vol.get',
  poolTypes: ['iscsi-direct'],
  tool: 'libiscsi',
  versions: '>=1.19.0 <2.0.0',
  why: 'libiscsi 1.19.0 is the release run here (iscsi-ls -s and iscsi-readcapacity16 -s output).',
  binaries: LS_BINARIES,
  run: async (ctx, input) => {
    const lun = lunOfName(input.name);
    if (lun === null) return fail('NO_VOLUME', `no volume ${JSON.stringify(input.name.slice(0, 200))} in pool ${input.pool.name}: iscsi-direct volumes are named unit:0:0:LUN`);
    const v = await listVolumes(ctx, input.pool);
    if (!v.ok) return v;
    const hit = v.value.find((x) => x.name === input.name);
    return hit ? done({ volume: hit }) : fail('NO_VOLUME', `target has no disk LUN ${lun} (pool ${input.pool.name})`);
  }
});
