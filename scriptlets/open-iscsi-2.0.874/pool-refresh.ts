import { defineScriptlet, done } from '../../runner/scriptlet/api.js';
import { listLuns, LUN_BINARIES } from './luns.js';
import { OPEN_ISCSI } from './series.js';

// The LUNs' sizes (libvirt: capacity = allocation = their sum, nothing available).
export const poolRefresh = defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['iscsi'],
  tool: 'open-iscsi',
  versions: OPEN_ISCSI.versions,
  why: `${OPEN_ISCSI.why} -m session -P 3 names each LUN's disk; lsblk -J -b sizes it.`,
  binaries: LUN_BINARIES,
  run: async (ctx, input) => {
    const v = await listLuns(ctx, input.pool);
    if (!v.ok) return v;
    const total = v.value.reduce((n, x) => n + x.capacity, 0);
    return done({ sizes: { capacity: total, allocation: total, available: 0 } });
  }
});
export default poolRefresh;
