import type { Backend } from './types.js';

// A ZFS pool (libvirt's "zfs" pool): zpool create / import / export / destroy, sizes from zpool
// list. Volumes (zvols) are not offered yet: no public verbatim output of the listing that
// carries volsize was found to build goldens from, and this host has no ZFS to record one, so
// vol.* answers UNSUPPORTED rather than run parsers no real output has checked (README: ZFS).
export const zfsBackend: Backend = {
  type: 'zfs',
  fileTarget: false,
  ops: {
    'pool.build': 'zfs',
    'pool.delete': 'zfs',
    'pool.start': 'zfs',
    'pool.stop': 'zfs',
    'pool.refresh': 'zfs',
    'pool.findSources': 'zfs'
  }
};
