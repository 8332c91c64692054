import type { Backend } from './types.js';

// An iSCSI target logged in with the kernel initiator (open-iscsi's iscsiadm; libvirt's "iscsi"
// pool): volumes are the session's LUN block devices (/dev/disk/by-path/...). As in libvirt,
// LUNs are made on the target: vol.create, delete, resize, copy and snapshot are UNSUPPORTED;
// wipe is not offered yet (no kernel initiator here to prove it on).
export const iscsiBackend: Backend = {
  type: 'iscsi',
  fileTarget: false,
  ops: {
    'pool.start': 'open-iscsi',
    'pool.stop': 'open-iscsi',
    'pool.refresh': 'open-iscsi',
    'pool.findSources': 'open-iscsi',
    'vol.list': 'open-iscsi',
    'vol.get': 'open-iscsi'
  }
};
