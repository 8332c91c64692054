import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_1_8 } from './dialect.js';
import { poolRefresh } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=1.8.0',
  why: 'Covers parted 1.8 through 3.0 (recorded: 1.8.8, 1.9.0, 2.3; 3.0 prints the same `-m` output). NEWS 1.8.0 (\'display more information about the disk and transport layer\') brought the `-m` disk line read here, `path:size:transport:lss:pss:label:model;`, with no disk-flags field (added in 3.1); these releases write \'Error:\' lines to stdout (the recordings show it even for 1.8.8). NEWS 3.0 removed the file-system commands (resize, mkpartfs: vol.resize of this series ends there); NEWS 3.1 added the disk-flags field, which ends the series (parted-3.1). `print free`: capacity, allocation (partitions), available (1 MiB-aligned usable free space) and the free extents.',
  binaries: ['parted'],
  run: (ctx, input) => poolRefresh(ctx, PARTED_1_8, input)
});
