import type { Backend } from './types.js';

// A network file system (NFS, CIFS, GlusterFS) mounted at the target (libvirt's "netfs" pool).
// Building and deleting only make and remove the target directory (posix, as for dir pools: the
// export is not the agent's to format or wipe); mounting is util-linux's mount with the
// format's helper (mount.nfs, mount.cifs, mount.glusterfs). Volumes are the dir pool's.
export const netfsBackend: Backend = {
  type: 'netfs',
  fileTarget: true,
  ops: {
    'pool.build': 'posix',
    'pool.delete': 'posix',
    'pool.start': 'util-linux',
    'pool.stop': 'util-linux',
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
