import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { listLuns, LUN_BINARIES } from './luns.js';
import { OPEN_ISCSI } from './series.js';

export const volList = defineScriptlet({
  operation: 'vol.list',
  poolTypes: ['iscsi'],
  tool: 'open-iscsi',
  versions: OPEN_ISCSI.versions,
  why: `${OPEN_ISCSI.why} -m session -P 3 names each LUN's disk; lsblk -J -b sizes it.`,
  binaries: LUN_BINARIES,
  run: async (ctx, input) => {
    const v = await listLuns(ctx, input.pool);
    return v.ok ? done({ volumes: v.value }) : v;
  }
});
export default volList;
