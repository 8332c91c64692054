import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { wipeVolume } from '../lib/qemu-img.js';

export default defineScriptlet({
  operation: 'vol.wipe',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=2.11.0',
  why: 'Before 6.1 -b alone was accepted (backing format probed); resize --shrink exists from 2.11, the oldest release served.',
  binaries: ['qemu-img'],
  run: (ctx, input) => wipeVolume({ backingFormatFlag: false }, ctx, input)
});
