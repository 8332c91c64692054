import type { Backend } from './types.js';

// A directory of image files. Pool life cycle and listing are plain file operations (posix);
// anything that writes an image format goes through qemu-img.
export const dirBackend: Backend = {
  type: 'dir',
  fileTarget: true,
  ops: {
    'pool.build': 'posix',
    'pool.delete': 'posix',
    'pool.start': 'posix',
    'pool.stop': 'posix',
    'pool.refresh': 'posix',
    'vol.list': 'posix',
    'vol.get': 'posix',
    'vol.delete': 'posix',
    'vol.create': 'qemu-img',
    'vol.copy': 'qemu-img',
    'vol.snapshot': 'qemu-img',
    'vol.resize': 'qemu-img',
    'vol.wipe': 'qemu-img'
  }
};
