import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { createVolume } from '../lib/qemu-img.js';

export default defineScriptlet({
  operation: 'vol.create',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'qemu-img',
  versions: '>=6.1.0',
  why: 'QEMU 6.1 requires the backing format (-F) whenever a backing file is given; from then on every create with -b passes -F. Every qcow2 option libvirt writes (compat, lazy_refcounts, cluster_size, extended_l2, nocow, preallocation) exists here.',
  binaries: ['qemu-img', 'fallocate'],
  run: (ctx, input) => createVolume({ backingFormatFlag: true, extendedL2: true }, ctx, input)
});
