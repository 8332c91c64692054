import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { listVolumes, LS_BINARIES } from './luns.js';

export default defineScriptlet({
  operation: 'vol.list',
  poolTypes: ['iscsi-direct'],
  tool: 'libiscsi',
  versions: '>=1.19.0 <2.0.0',
  why: 'libiscsi 1.19.0 is the release run here (iscsi-ls -s and iscsi-readcapacity16 -s output).',
  binaries: LS_BINARIES,
  run: async (ctx, input) => {
    const v = await listVolumes(ctx, input.pool);
    return v.ok ? done({ volumes: v.value }) : v;
  }
});
