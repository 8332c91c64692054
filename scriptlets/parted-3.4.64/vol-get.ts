import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_4_64 } from './dialect.js';
import { volGet } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'vol.get',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.4.64',
  why: 'parted 3.4.64 (the 3.5 alpha, NEWS 3.4.64) added --json, read here instead of `-m` (whose values are escaped from that release on); resizepart as in 3.2+. Recorded live with parted 3.5 on Debian 12. `print free`, then the partition whose device node has that name.',
  binaries: ['parted'],
  run: (ctx, input) => volGet(ctx, PARTED_3_4_64, input)
});
