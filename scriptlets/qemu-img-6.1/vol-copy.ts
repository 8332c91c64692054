import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { copyVolume } from '../lib/qemu-img.js';

// qemu-img convert: format conversion, holes kept, progress from -p.
export default defineScriptlet({
  operation: 'vol.copy',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=6.1.0',
  why: 'QEMU 6.1 requires the backing format (-F) whenever a backing file is given; from then on every create with -b passes -F.',
  binaries: ['qemu-img'],
  run: (ctx, input) => copyVolume(ctx, input)
});
