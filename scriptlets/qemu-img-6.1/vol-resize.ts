import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { resizeVolume } from '../lib/qemu-img.js';

export default defineScriptlet({
  operation: 'vol.resize',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=6.1.0',
  why: 'QEMU 6.1 requires the backing format (-F) whenever a backing file is given; from then on every create with -b passes -F.',
  binaries: ['qemu-img'],
  run: (ctx, input) => resizeVolume(ctx, input)
});
