import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_1 } from './dialect.js';
import { poolRefresh } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.1.0',
  why: 'Covers parted 3.1 through 3.4 (recorded: 3.1, 3.2, 3.4). NEWS 3.1 added the disk-flags field to the `-m` disk line (read here) and made parted exit non-zero after \'Error:\' lines, which go to stderr. NEWS 3.4.64 (the 3.5 alpha) added --json and started escaping \':\' and \'\\\' in `-m` output, which ends the series (parted-3.4.64). `print free`: capacity, allocation (partitions), available (1 MiB-aligned usable free space) and the free extents.',
  binaries: ['parted'],
  run: (ctx, input) => poolRefresh(ctx, PARTED_3_1, input)
});
