import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { poolImportArgv, poolListArgv, zpoolFailure, zpoolName } from './zpool.js';
import { ZFS_08 } from './series.js';

// A zpool already imported is running (libvirt checks `zpool get health` the same way);
// otherwise it is imported by name.
export const poolStart = defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['zfs'],
  tool: 'zfs',
  versions: ZFS_08.versions,
  why: `${ZFS_08.why} zpool list POOL fails for a pool not imported; zpool import POOL prints nothing on success.`,
  binaries: ['zpool'],
  run: async (ctx, input) => {
    const name = zpoolName(input.pool);
    const seen = await ctx.query`zpool ${poolListArgv(name)}`;
    if (!seen.failed) return done({});
    const r = await ctx.$`zpool ${poolImportArgv(name)}`;
    return r.failed ? zpoolFailure(r, `zpool import ${name}`) : done({});
  }
});
export default poolStart;
