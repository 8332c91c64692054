import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { poolExportArgv, zpoolFailure, zpoolName } from './zpool.js';
import { ZFS_08 } from './series.js';

// Stopping exports the pool (its zvols' /dev nodes go); a zvol in use makes it busy.
export const poolStop = defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['zfs'],
  tool: 'zfs',
  versions: ZFS_08.versions,
  why: `${ZFS_08.why} zpool export prints nothing on success and "pool or dataset is busy" when a zvol is open.`,
  binaries: ['zpool'],
  run: async (ctx, input) => {
    const r = await ctx.$`zpool ${poolExportArgv(zpoolName(input.pool))}`;
    return r.failed ? zpoolFailure(r, `zpool export ${zpoolName(input.pool)}`) : done({});
  }
});
export default poolStop;
