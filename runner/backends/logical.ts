import type { Backend } from './types.js';

// A volume group; its volumes are logical volumes (libvirt's logical backend). Every operation
// is lvm2's, selected by its version; copy and wipe also use qemu-img and dd, build blkid and
// wipefs (declared by the scriptlets).
export const logicalBackend: Backend = {
  type: 'logical',
  fileTarget: false,
  ops: {
    'pool.build': 'lvm2',
    'pool.delete': 'lvm2',
    'pool.start': 'lvm2',
    'pool.stop': 'lvm2',
    'pool.refresh': 'lvm2',
    'pool.findSources': 'lvm2',
    'vol.list': 'lvm2',
    'vol.get': 'lvm2',
    'vol.create': 'lvm2',
    'vol.delete': 'lvm2',
    'vol.resize': 'lvm2',
    'vol.snapshot': 'lvm2',
    'vol.copy': 'lvm2',
    'vol.wipe': 'lvm2'
  },
  needsDeviceMapper: {
    'vol.snapshot': 'an LVM snapshot is a device-mapper target',
    'vol.copy': 'copying reads and writes the LVs\' /dev nodes, which need activation',
    'vol.wipe': 'wiping writes the LV\'s /dev node, which needs activation',
    'vol.create (thin)': 'thin pools and thin volumes are device-mapper targets',
    'pool.start (activate)': 'activation (vgchange -ay, /dev/VG/LV nodes) needs device-mapper; the pool starts with its LVs inactive'
  }
};
