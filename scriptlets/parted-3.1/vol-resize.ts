import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_1 } from './dialect.js';
import { volResize } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.1.0',
  why: 'Covers vol.resize for parted 3.1 (recorded: 3.1); parted-3.2 takes over with resizepart. NEWS 3.1 added the disk-flags field to the `-m` disk line (read here) and made parted exit non-zero after \'Error:\' lines, which go to stderr. 3.1 has no way to resize a partition (3.0 removed resize; upstream 3.1 prints its usage for resizepart and exits 0), so it answers UNSUPPORTED naming 3.2.',
  binaries: ['parted'],
  run: (ctx, input) => volResize(ctx, PARTED_3_1, input)
});
