import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import { parsePoolList, poolListArgv, zpoolFailure, zpoolName } from './zpool.js';
import { ZFS_08 } from './series.js';

export const poolRefresh = defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['zfs'],
  tool: 'zfs',
  versions: ZFS_08.versions,
  why: `${ZFS_08.why} zpool list -H -p prints the default columns with SIZE, ALLOC and FREE in bytes.`,
  binaries: ['zpool'],
  run: async (ctx, input) => {
    const name = zpoolName(input.pool);
    const r = await ctx.query`zpool ${poolListArgv(name)}`;
    if (r.failed) return zpoolFailure(r, `zpool list ${name}`);
    const sizes = parsePoolList(r.stdout, name);
    return sizes ? done({ sizes }) : fail('TOOL_FAILED', `zpool list printed no sizes for ${name}: ${JSON.stringify(r.stdout.slice(0, 200))}`, r);
  }
});
export default poolRefresh;
