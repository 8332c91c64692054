import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_4_64 } from './dialect.js';
import { volResize } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.4.64',
  why: 'parted 3.4.64 (the 3.5 alpha, NEWS 3.4.64) added --json, read here instead of `-m` (whose values are escaped from that release on); resizepart as in 3.2+. Recorded live with parted 3.5 on Debian 12. `resizepart NUMBER END`: growing in script mode, shrinking with ---pretend-input-tty and \'Yes\' on stdin (script mode refuses the \'Shrinking a partition can cause data loss\' question and exits 1).',
  binaries: ['parted'],
  run: (ctx, input) => volResize(ctx, PARTED_3_4_64, input)
});
