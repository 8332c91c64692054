import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { listVolumes, LS_BINARIES } from './luns.js';

// The pool's size is its LUNs' (libvirt: capacity = allocation = the sum, nothing available).
export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['iscsi-direct'],
  tool: 'libiscsi',
  versions: '>=1.19.0 <2.0.0',
  why: 'libiscsi 1.19.0 is the release run here (iscsi-ls -s and iscsi-readcapacity16 -s output).',
  binaries: LS_BINARIES,
  run: async (ctx, input) => {
    const v = await listVolumes(ctx, input.pool);
    if (!v.ok) return v;
    const total = v.value.reduce((n, x) => n + x.capacity, 0);
    return done({ sizes: { capacity: total, allocation: total, available: 0 } });
  }
});
