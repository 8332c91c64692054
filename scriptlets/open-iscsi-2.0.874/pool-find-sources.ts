import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import type { PoolSource } from '../../runner/contracts/generated.js';
import { discoveryArgv, DEFAULT_PORT, ERR, iscsiadmFailure, parseDiscovery, portalArg } from './iscsiadm.js';
import { OPEN_ISCSI } from './series.js';

// SendTargets discovery, not stored (-o nonpersistent: no node records are written), one source
// per target as libvirt's iscsi findPoolSources writes them (host, port, the target as device).
export const findSources = defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['iscsi'],
  tool: 'open-iscsi',
  versions: OPEN_ISCSI.versions,
  why: `${OPEN_ISCSI.why} Discovery prints one "ADDR:PORT,TPGT IQN" line per target portal.`,
  binaries: ['iscsiadm'],
  run: async (ctx, input) => {
    if (input.host === undefined) return fail('INVALID_ARGUMENT', 'iscsi sources are found on a portal: give host (and port)');
    const port = input.port ?? DEFAULT_PORT;
    const r = await ctx.query`iscsiadm ${discoveryArgv(portalArg(input.host, port))}`;
    if (r.failed && r.exitCode === ERR.NO_OBJS_FOUND) return done({ sources: [] });
    if (r.failed) return iscsiadmFailure(r, `discovery on ${portalArg(input.host, port)}`);
    const sources: PoolSource[] = parseDiscovery(r.stdout).map((iqn) => ({
      hosts: [input.port !== undefined ? { name: input.host ?? '', port } : { name: input.host ?? '' }],
      devices: [{ path: iqn }]
    }));
    return done({ sources });
  }
});
export default findSources;
