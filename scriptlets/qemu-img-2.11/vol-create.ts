import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { createVolume } from '../lib/qemu-img.js';

export default defineScriptlet({
  operation: 'vol.create',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=2.11.0',
  why: 'Before 6.1 -b alone was accepted (backing format probed); resize --shrink exists from 2.11, the oldest release served. compat, lazy_refcounts, cluster_size, nocow and preallocation (metadata, falloc, full) exist from 2.11; extended_l2 only from 5.2 (inside this series), so it is refused here rather than guessed.',
  binaries: ['qemu-img', 'fallocate'],
  run: (ctx, input) => createVolume({ backingFormatFlag: false, extendedL2: false }, ctx, input)
});
