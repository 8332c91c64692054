import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_4_64 } from './dialect.js';
import { poolStart } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.4.64',
  why: 'parted 3.4.64 (the 3.5 alpha, NEWS 3.4.64) added --json, read here instead of `-m` (whose values are escaped from that release on); resizepart as in 3.2+. Recorded live with parted 3.5 on Debian 12. Reads the table: a disk without a label (or with another label than the pool\'s format) cannot start.',
  binaries: ['parted'],
  run: (ctx, input) => poolStart(ctx, PARTED_3_4_64, input)
});
