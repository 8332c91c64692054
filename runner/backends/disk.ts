import type { Backend } from './types.js';

// A partitioned block device (libvirt's "disk" pool): the label and the partitions are parted's;
// removing the label on pool.delete is wipefs's (parted has no command for it); wiping a
// partition's data is dd's.
export const diskBackend: Backend = {
  type: 'disk',
  fileTarget: false,
  sharedTable: true,
  ops: {
    'pool.build': 'parted',
    'pool.start': 'parted',
    'pool.stop': 'posix',
    'pool.refresh': 'parted',
    'pool.delete': 'util-linux',
    'pool.findSources': 'parted',
    'vol.list': 'parted',
    'vol.get': 'parted',
    'vol.create': 'parted',
    'vol.delete': 'parted',
    'vol.resize': 'parted',
    'vol.wipe': 'coreutils'
  }
};
