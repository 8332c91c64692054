import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { dialect3 } from '../lib/parted-dialects.js';
import { poolFindSources } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.0.0',
  why: 'Covers parted 3.0 through 3.4 (recorded: 3.1, 3.2, 3.4). NEWS 3.0 removed the file-system-aware resize; NEWS 3.1 added the disk-flags field to the `-m` disk line (read from 3.1 on) and made parted exit non-zero after \'Error:\' lines, which go to stderr; NEWS 3.2 added resizepart. NEWS 3.4.64 (the 3.5 alpha) added --json and started escaping \':\' and \'\\\' in `-m` output, which ends the series. The given device\'s label, or every disk `parted -l` can open.',
  binaries: ['parted'],
  run: (ctx, input) => poolFindSources(ctx, dialect3(ctx.toolVersion), input)
});
