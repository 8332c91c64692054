import { defineScriptlet, done } from '../../runner/scriptlet/api.js';

// Nothing to undo: libiscsi's tools log out when they exit, so a running iscsi-direct pool holds
// no session (as in libvirt, whose backend has no stopPool).
export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['iscsi-direct'],
  tool: 'libiscsi',
  versions: '>=1.19.0 <2.0.0',
  why: 'libiscsi 1.19.0 is the release run here; no release keeps a session past a command.',
  binaries: [],
  run: async () => done({})
});
