import type { Backend } from './types.js';
import { FILE_VOLUME_OPS } from './file-volumes.js';

// A directory of image files. Pool life cycle and listing are plain file operations (posix);
// anything that writes an image format goes through qemu-img.
export const dirBackend: Backend = {
  type: 'dir',
  fileTarget: true,
  ops: {
    ...FILE_VOLUME_OPS,
    'pool.build': 'posix',
    'pool.delete': 'posix',
    'pool.start': 'posix',
    'pool.stop': 'posix'
  }
};
