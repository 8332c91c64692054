import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { SEPARATOR_DIALECT } from '../lib/lvm.js';
import { volSnapshot } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.snapshot',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.98 <2.2.158',
  why: `${SEPARATOR_DIALECT.why} Snapshot is lvcreate -s (thin snapshot of a thin volume, else a COW area the origin's size); it needs device-mapper.`,
  binaries: ['lvs', 'lvcreate'],
  run: (ctx, input) => volSnapshot(ctx, input, SEPARATOR_DIALECT)
});
