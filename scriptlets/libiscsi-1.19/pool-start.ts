import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { listVolumes, LS_BINARIES } from './luns.js';

// libiscsi keeps no session between commands (libvirt's iscsi-direct backend connects per
// operation too): starting proves the portal answers, the target is offered, the CHAP
// credentials and initiator are accepted and the LUNs can be read.
export default defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['iscsi-direct'],
  tool: 'libiscsi',
  versions: '>=1.19.0 <2.0.0',
  why: 'libiscsi 1.19.0 (Debian 11 and 12, Ubuntu 22.04) is the release run here: iscsi-ls -s prints "Target:IQN Portal:ADDR,TPGT" then "Lun:N Type:T" lines, iscsi-readcapacity16 -s the size in bytes.',
  binaries: LS_BINARIES,
  run: async (ctx, input) => {
    const v = await listVolumes(ctx, input.pool);
    return v.ok ? done({}) : v;
  }
});
