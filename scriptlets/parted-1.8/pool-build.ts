import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { dialect18 } from '../lib/parted-dialects.js';
import { poolBuild } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'pool.build',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=1.8.0',
  why: 'Covers parted 1.8 through 2.x (recorded: 1.8.8, 1.9.0, 2.3). NEWS 1.8.0 (\'display more information about the disk and transport layer\') brought the `-m` disk line read here, `path:size:transport:lss:pss:label:model;`, with no disk-flags field (added in 3.1); these releases write \'Error:\' lines to stdout (the recordings show it even for 1.8.8). NEWS 3.0 removed the file-system commands (resize, mkpartfs), which ends the series. Checks for an existing label with print (ALREADY_BUILT without overwrite), then `mklabel`.',
  binaries: ['parted'],
  run: (ctx, input) => poolBuild(ctx, dialect18(ctx.toolVersion), input)
});
