import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import { listLuns, LUN_BINARIES } from './luns.js';
import { OPEN_ISCSI } from './series.js';

export const volGet = defineScriptlet({
  operation: 'vol.get',
  poolTypes: ['iscsi'],
  tool: 'open-iscsi',
  versions: OPEN_ISCSI.versions,
  why: `${OPEN_ISCSI.why} -m session -P 3 names each LUN's disk; lsblk -J -b sizes it.`,
  binaries: LUN_BINARIES,
  run: async (ctx, input) => {
    const v = await listLuns(ctx, input.pool);
    if (!v.ok) return v;
    const hit = v.value.find((x) => x.name === input.name || x.path === input.name);
    return hit ? done({ volume: hit }) : fail('NO_VOLUME', `no LUN ${JSON.stringify(input.name.slice(0, 200))} in pool ${input.pool.name}`);
  }
});
export default volGet;
