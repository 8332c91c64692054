import type { Backend } from './types.js';

// An iSCSI target reached from userspace with libiscsi (libvirt's "iscsi-direct" pool): no kernel
// initiator, no /dev nodes; volumes are the target's disk LUNs, handed out as network volumes
// (iscsi://HOST:PORT/IQN/LUN). As in libvirt there is nothing to build or delete, and LUNs are
// made on the target, not by the pool: vol.create, delete, resize, copy and snapshot are
// UNSUPPORTED.
export const iscsiDirectBackend: Backend = {
  type: 'iscsi-direct',
  fileTarget: false,
  ops: {
    'pool.start': 'libiscsi',
    'pool.stop': 'libiscsi',
    'pool.refresh': 'libiscsi',
    'pool.findSources': 'libiscsi',
    'vol.list': 'libiscsi',
    'vol.get': 'libiscsi',
    'vol.wipe': 'libiscsi'
  }
};
