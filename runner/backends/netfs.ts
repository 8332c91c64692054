import type { Backend } from './types.js';
import { FILE_VOLUME_OPS } from './file-volumes.js';

// A network file system (NFS, CIFS, GlusterFS) mounted at the target (libvirt's "netfs" pool).
// Building and deleting only make and remove the target directory (posix, as for dir pools: the
// export is not the agent's to format or wipe); mounting is util-linux's mount with the
// format's helper (mount.nfs, mount.cifs, mount.glusterfs). Volumes are the dir pool's.
export const netfsBackend: Backend = {
  type: 'netfs',
  fileTarget: true,
  ops: {
    ...FILE_VOLUME_OPS,
    'pool.build': 'posix',
    'pool.delete': 'posix',
    'pool.start': 'util-linux',
    'pool.stop': 'util-linux'
  }
};
