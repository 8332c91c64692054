import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import { ERR, iscsiadmFailure, logoutArgv, nodeDeleteArgv, nodeOf } from './iscsiadm.js';
import { OPEN_ISCSI } from './series.js';

// Logout, then the node record goes (it may hold the CHAP password). No session (21) is success:
// the pool is stopped either way.
export const poolStop = defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['iscsi'],
  tool: 'open-iscsi',
  versions: OPEN_ISCSI.versions,
  why: `${OPEN_ISCSI.why} Logout and node deletion exit 21 when there is no session or record.`,
  binaries: ['iscsiadm'],
  run: async (ctx, input) => {
    const n = nodeOf(input.pool);
    if (!n.ok) return fail('INVALID_ARGUMENT', n.message);
    const out = await ctx.$`iscsiadm ${logoutArgv(n.value)}`;
    if (out.failed && out.exitCode !== ERR.NO_OBJS_FOUND) return iscsiadmFailure(out, `logout from ${n.value.target}`);
    const del = await ctx.$`iscsiadm ${nodeDeleteArgv(n.value)}`;
    if (del.failed && del.exitCode !== ERR.NO_OBJS_FOUND) return iscsiadmFailure(del, `removing the node record of ${n.value.target}`);
    return done({});
  }
});
export default poolStop;
