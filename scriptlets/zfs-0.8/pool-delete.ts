import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { poolDestroyArgv, poolImportArgv, zpoolFailure, zpoolName } from './zpool.js';
import { ZFS_08 } from './series.js';

// The pool is stopped (exported) when pool.delete runs: it is imported and destroyed, which
// erases its labels like libvirt's `zpool destroy`.
export const poolDelete = defineScriptlet({
  operation: 'pool.delete',
  poolTypes: ['zfs'],
  tool: 'zfs',
  versions: ZFS_08.versions,
  why: `${ZFS_08.why} zpool destroy works on imported pools only, and prints nothing on success.`,
  binaries: ['zpool'],
  run: async (ctx, input) => {
    const name = zpoolName(input.pool);
    const imp = await ctx.$`zpool ${poolImportArgv(name)}`;
    if (imp.failed && !/a pool with that name (already exists|is already created\/imported)/.test(imp.stderr)) return zpoolFailure(imp, `zpool import ${name}`);
    const r = await ctx.$`zpool ${poolDestroyArgv(name)}`;
    return r.failed ? zpoolFailure(r, `zpool destroy ${name}`) : done({});
  }
});
export default poolDelete;
