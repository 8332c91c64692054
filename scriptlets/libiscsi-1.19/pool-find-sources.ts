import { defineScriptlet, done, fail } from '../../runner/scriptlet/api.js';
import type { PoolSource } from '../../runner/contracts/generated.js';
import { classifyIscsiError, parseIscsiLs } from './iscsi-ls.js';
import { DEFAULT_PORT, hostPort, initiatorArgs, portalUrl } from './portal.js';

// SendTargets discovery (iscsi-ls without -s logs in to no target): one source per target IQN,
// written as libvirt's iscsi-direct findPoolSources does (host, port, the target as device path,
// the initiator asked with).
export default defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['iscsi-direct'],
  tool: 'libiscsi',
  versions: '>=1.19.0 <2.0.0',
  why: 'libiscsi 1.19.0 is the release run here: iscsi-ls prints one "Target:IQN Portal:ADDR,TPGT" line per target portal.',
  binaries: ['iscsi-ls'],
  run: async (ctx, input) => {
    if (input.host === undefined) return fail('INVALID_ARGUMENT', 'iscsi-direct sources are found on a portal: give host (and port)');
    const port = input.port ?? DEFAULT_PORT;
    const r = await ctx.query`iscsi-ls ${initiatorArgs({ initiator: input.initiator })} ${portalUrl({ host: input.host, port })}`;
    const targets = parseIscsiLs(r.stdout);
    if (r.failed && targets.length === 0) {
      const c = classifyIscsiError(`${r.stdout}\n${r.stderr}`);
      return fail(c.code === 'NO_VOLUME' ? 'TOOL_FAILED' : c.code, `discovery on ${hostPort(input.host, port)}: ${c.message}`, r);
    }
    const sources: PoolSource[] = targets.map((t) => ({
      hosts: [input.port !== undefined ? { name: input.host ?? '', port } : { name: input.host ?? '' }],
      devices: [{ path: t.iqn }],
      ...(input.initiator !== undefined ? { initiator: input.initiator } : {})
    }));
    return done({ sources });
  }
});
