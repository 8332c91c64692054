import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { snapshotVolume } from '../lib/qemu-img.js';

// A snapshot of a file volume is a qcow2 overlay whose backing file is the original.
export default defineScriptlet({
  operation: 'vol.snapshot',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=2.11.0',
  why: 'Before 6.1 -b alone was accepted (backing format probed); resize --shrink exists from 2.11, the oldest release served.',
  binaries: ['qemu-img'],
  run: (ctx, input) => snapshotVolume({ backingFormatFlag: false }, ctx, input)
});
