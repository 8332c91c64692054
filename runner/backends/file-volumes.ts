import type { Backend } from './types.js';

/**
 * The volume operations of every pool whose volumes are files in a directory (dir, fs, netfs):
 * one table, so the three pool types serve volumes with the very same scriptlets. Reading the
 * directory and file headers is the runner's file API (posix); writing an image is qemu-img's.
 */
export const FILE_VOLUME_OPS: Backend['ops'] = {
  'pool.refresh': 'posix',
  'vol.list': 'posix',
  'vol.get': 'posix',
  'vol.delete': 'posix',
  'vol.create': 'qemu-img',
  'vol.copy': 'qemu-img',
  'vol.snapshot': 'qemu-img',
  'vol.resize': 'qemu-img',
  'vol.wipe': 'qemu-img'
};
