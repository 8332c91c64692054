import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_4_64 } from './dialect.js';
import { poolRefresh } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.4.64',
  why: 'parted 3.4.64 (the 3.5 alpha, NEWS 3.4.64) added --json, read here instead of `-m` (whose values are escaped from that release on); resizepart as in 3.2+. Recorded live with parted 3.5 on Debian 12. `print free`: capacity, allocation (partitions), available (1 MiB-aligned usable free space) and the free extents.',
  binaries: ['parted'],
  run: (ctx, input) => poolRefresh(ctx, PARTED_3_4_64, input)
});
