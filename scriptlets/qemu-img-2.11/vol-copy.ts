import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { copyVolume } from '../lib/qemu-img.js';

// qemu-img convert: format conversion, holes kept, progress from -p.
export default defineScriptlet({
  operation: 'vol.copy',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=2.11.0',
  why: 'Before 6.1 -b alone was accepted (backing format probed); resize --shrink exists from 2.11, the oldest release served.',
  binaries: ['qemu-img'],
  run: (ctx, input) => copyVolume(ctx, input)
});
