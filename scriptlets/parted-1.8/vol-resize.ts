import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_1_8 } from './dialect.js';
import { volResize } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=1.8.0 <3.0.0',
  why: 'Covers parted 1.8 through 2.x (recorded: 1.8.8, 1.9.0, 2.3). NEWS 1.8.0 (\'display more information about the disk and transport layer\') brought the `-m` disk line read here, `path:size:transport:lss:pss:label:model;`, with no disk-flags field (added in 3.1); these releases write \'Error:\' lines to stdout (the recordings show it even for 1.8.8). NEWS 3.0 removed the file-system commands (resize, mkpartfs), which ends the series. parted 1.x/2.x have only `resize NUMBER START END`, which resizes the file system with the partition: it refuses partitions without one it knows (\'Could not detect file system.\', \'No Implementation\'), answered as UNSUPPORTED.',
  binaries: ['parted'],
  run: (ctx, input) => volResize(ctx, PARTED_1_8, input)
});
