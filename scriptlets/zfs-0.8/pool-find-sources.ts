import { defineScriptlet, done, toolFailed } from '../../runner/scriptlet/api.js';
import { parseImportList } from './zpool.js';
import { ZFS_08 } from './series.js';

// Importable pools (libvirt's zfs backend lists none; this is `zpool import` without a name,
// which only reads the devices' labels).
export const findSources = defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['zfs'],
  tool: 'zfs',
  versions: ZFS_08.versions,
  why: `${ZFS_08.why} zpool import with no pool lists "pool:", "id:", "state:" and the config tree of each importable pool.`,
  binaries: ['zpool'],
  run: async (ctx) => {
    const r = await ctx.query`zpool import`;
    // "no pools available to import" goes to stderr with exit 0 or 1 depending on the release.
    if (r.failed && !/no pools available to import/.test(r.stderr)) return toolFailed(r, 'zpool import');
    return done({ sources: parseImportList(r.stdout) });
  }
});
export default findSources;
