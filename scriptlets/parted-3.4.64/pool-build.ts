import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_4_64 } from './dialect.js';
import { poolBuild } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'pool.build',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.4.64',
  why: 'parted 3.4.64 (the 3.5 alpha, NEWS 3.4.64) added --json, read here instead of `-m` (whose values are escaped from that release on); resizepart as in 3.2+. Recorded live with parted 3.5 on Debian 12. Checks for an existing label with print (ALREADY_BUILT without overwrite), then `mklabel`.',
  binaries: ['parted'],
  run: (ctx, input) => poolBuild(ctx, PARTED_3_4_64, input)
});
