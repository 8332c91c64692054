import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { wipeVolume } from '../lib/qemu-img.js';

export default defineScriptlet({
  operation: 'vol.wipe',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=6.1.0',
  why: 'QEMU 6.1 requires the backing format (-F) whenever a backing file is given; from then on every create with -b passes -F.',
  binaries: ['qemu-img', 'scrub'],
  run: (ctx, input) => wipeVolume({ backingFormatFlag: true, extendedL2: true }, ctx, input)
});
