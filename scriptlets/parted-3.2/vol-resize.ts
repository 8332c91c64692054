import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { PARTED_3_2 } from './dialect.js';
import { volResize } from '../lib/parted-ops.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.2.0',
  why: 'parted 3.2 through 3.4 (recorded: 3.2, 3.4): NEWS 3.2 added `resizepart NUMBER END`, which resizes the partition alone; growing runs in script mode, shrinking with ---pretend-input-tty and \'Yes\' on stdin (script mode refuses the shrink question, parted bug#22167). Reads the table as parted-3.1 (disk flags in `-m`); NEWS 3.4.64 (--json) ends the series (parted-3.4.64).',
  binaries: ['parted'],
  run: (ctx, input) => volResize(ctx, PARTED_3_2, input)
});
