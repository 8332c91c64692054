import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import { ERR, iscsiadmFailure, loginArgv, nodeDeleteArgv, nodeNewArgv, nodeOf, nodeUpdateArgv } from './iscsiadm.js';
import { OPEN_ISCSI } from './series.js';

// A node record for the target (with CHAP when the pool has <auth>), then login; a session that
// already exists is success. A failed login removes the record again, so no CHAP password is left
// in /etc/iscsi/nodes for a pool that is not running.
export const poolStart = defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['iscsi'],
  tool: 'open-iscsi',
  versions: OPEN_ISCSI.versions,
  why: `${OPEN_ISCSI.why} Login exits 15 when the session exists, 24 for refused CHAP, 12 without a kernel initiator.`,
  binaries: ['iscsiadm'],
  run: async (ctx, input) => {
    const n = nodeOf(input.pool);
    if (!n.ok) return fail('INVALID_ARGUMENT', n.message);
    const node = n.value;
    const made = await ctx.$`iscsiadm ${nodeNewArgv(node)}`;
    if (made.failed) return iscsiadmFailure(made, `iscsiadm: new node for ${node.target}`);
    const auth = input.pool.source?.auth;
    const settings: [string, string][] = auth
      ? [['node.session.auth.authmethod', 'CHAP'], ['node.session.auth.username', auth.username], ['node.session.auth.password', auth.password ?? '']]
      : [['node.session.auth.authmethod', 'None']];
    if (auth && auth.password === undefined) return fail('INVALID_ARGUMENT', `pool ${input.pool.name} has CHAP auth but no secret value was provided`);
    for (const [k, v] of settings) {
      const u = await ctx.$`iscsiadm ${nodeUpdateArgv(node, k, v)}`;
      if (u.failed) return iscsiadmFailure(u, `iscsiadm: setting ${k}`);
    }
    const login = await ctx.$`iscsiadm ${loginArgv(node)}`;
    if (!login.failed || login.exitCode === ERR.SESS_EXISTS) return done({});
    await ctx.$`iscsiadm ${nodeDeleteArgv(node)}`;
    return iscsiadmFailure(login, `login to ${node.target} at ${node.portal}`);
  }
});
export default poolStart;
