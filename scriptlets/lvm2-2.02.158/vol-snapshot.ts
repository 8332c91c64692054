import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { LVM2_2_02_158 } from './dialect.js';
import { volSnapshot } from '../lib/lvm-ops.js';

export default defineScriptlet({
  operation: 'vol.snapshot',
  poolTypes: ['logical'],
  tool: 'lvm2',
  versions: '>=2.2.158',
  why: `${LVM2_2_02_158.why} Snapshot is lvcreate -s (thin snapshot of a thin volume, else a COW area the origin's size); it needs device-mapper.`,
  binaries: ['lvs', 'lvcreate'],
  run: (ctx, input) => volSnapshot(ctx, input, LVM2_2_02_158)
});
