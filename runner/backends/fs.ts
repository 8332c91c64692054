import type { Backend } from './types.js';
import { FILE_VOLUME_OPS } from './file-volumes.js';

// A file system on a block device, mounted at the target (libvirt's "fs" pool). Making,
// mounting and removing the file system is util-linux's (blkid, mkfs, mount, umount, wipefs);
// once mounted it is a directory of image files, served by exactly the dir pool's volume
// scriptlets (posix and qemu-img), which list 'fs' in their poolTypes.
export const fsBackend: Backend = {
  type: 'fs',
  fileTarget: true,
  ops: {
    ...FILE_VOLUME_OPS,
    'pool.build': 'util-linux',
    'pool.start': 'util-linux',
    'pool.stop': 'util-linux',
    'pool.delete': 'util-linux',
    'pool.findSources': 'util-linux'
  }
};
