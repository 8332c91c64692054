import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { dialect3 } from '../lib/parted-dialects.js';
import { volResize } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.0.0',
  why: 'Covers parted 3.0 through 3.4 (recorded: 3.1, 3.2, 3.4). NEWS 3.0 removed the file-system-aware resize; NEWS 3.1 added the disk-flags field to the `-m` disk line (read from 3.1 on) and made parted exit non-zero after \'Error:\' lines, which go to stderr; NEWS 3.2 added resizepart. NEWS 3.4.64 (the 3.5 alpha) added --json and started escaping \':\' and \'\\\' in `-m` output, which ends the series. 3.0 and 3.1 have no way to resize a partition (3.0 removed resize; upstream 3.1 prints its usage for resizepart and exits 0), so they answer UNSUPPORTED naming 3.2; from 3.2 `resizepart NUMBER END`, growing in script mode, shrinking with ---pretend-input-tty and \'Yes\' on stdin (script mode refuses the shrink question, parted bug#22167).',
  binaries: ['parted'],
  run: (ctx, input) => volResize(ctx, dialect3(ctx.toolVersion), input)
});
