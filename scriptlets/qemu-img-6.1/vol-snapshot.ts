import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { snapshotVolume } from '../lib/qemu-img.js';

// A snapshot of a file volume is a qcow2 overlay whose backing file is the original.
export default defineScriptlet({
  operation: 'vol.snapshot',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=6.1.0',
  why: 'QEMU 6.1 requires the backing format (-F) whenever a backing file is given; from then on every create with -b passes -F.',
  binaries: ['qemu-img'],
  run: (ctx, input) => snapshotVolume({ backingFormatFlag: true, extendedL2: true }, ctx, input)
});
