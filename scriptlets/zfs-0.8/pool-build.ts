import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import { poolCreateArgv, zpoolFailure, zpoolName } from './zpool.js';
import { ZFS_08 } from './series.js';

// zpool create on the source devices; without overwrite zpool's own check refuses devices that
// hold a filesystem or another pool's label (ALREADY_BUILT), with it -f.
export const poolBuild = defineScriptlet({
  operation: 'pool.build',
  poolTypes: ['zfs'],
  tool: 'zfs',
  versions: ZFS_08.versions,
  why: `${ZFS_08.why} zpool create prints nothing on success and refuses used devices unless -f.`,
  binaries: ['zpool'],
  run: async (ctx, input) => {
    const devices = (input.pool.source?.devices ?? []).map((d) => d.path);
    if (devices.length === 0) return fail('INVALID_ARGUMENT', `pool ${input.pool.name}: building a zfs pool needs source devices`);
    const r = await ctx.$`zpool ${poolCreateArgv(zpoolName(input.pool), devices, input.overwrite === true)}`;
    return r.failed ? zpoolFailure(r, `zpool create ${zpoolName(input.pool)}`) : done({});
  }
});
export default poolBuild;
