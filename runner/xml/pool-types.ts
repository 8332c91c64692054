// What each pool type's XML holds, after libvirt's table of pool types (storage_conf.c,
// poolTypeInfo): which <source> parts it uses, its source formats and default, whether it is a
// network pool (no <target>), and the volume formats of its volumes.
import type { PoolType } from '../contracts/generated.js';

export interface PoolTypeInfo {
  host: boolean;
  device: boolean;
  dir: boolean;
  adapter: boolean;
  name: boolean;
  initiator: boolean;
  /** No local target: volumes are reached over the network. */
  network: boolean;
  /** Source formats (<source><format type=...>), the first one being libvirt's default. */
  formats?: readonly string[];
  defaultFormat?: string;
  /** Volume formats (<target><format type=...>), or undefined when libvirt writes none. */
  volFormats?: readonly string[];
  defaultVolFormat?: string;
}

/** Volume file formats (storagevol.rng / storagecommon.rng storageFormat). */
export const FILE_FORMATS = ['raw', 'dir', 'bochs', 'cloop', 'dmg', 'iso', 'vpc', 'vdi', 'fat', 'vhd', 'ploop', 'luks', 'cow', 'qcow', 'qcow2', 'qed', 'vmdk'] as const;
/** Partition types of disk pool volumes (storagevol.rng formatdisk). */
export const DISK_VOL_FORMATS = ['none', 'linux', 'fat16', 'fat32', 'linux-swap', 'linux-lvm', 'linux-raid', 'extended'] as const;
/** Filesystem types (storagevol.rng formatdev). */
export const DEV_VOL_FORMATS = ['none', 'auto', 'ext2', 'ext3', 'ext4', 'ufs', 'iso9660', 'udf', 'gfs', 'gfs2', 'vfat', 'hfs+', 'xfs', 'ocfs2', 'vmfs'] as const;
/** Every volume format value libvirt's volume schema accepts. */
export const ALL_VOL_FORMATS: ReadonlySet<string> = new Set<string>(['unknown', ...FILE_FORMATS, ...DISK_VOL_FORMATS, ...DEV_VOL_FORMATS]);

const FS_FORMATS = ['auto', 'ext2', 'ext3', 'ext4', 'ufs', 'iso9660', 'udf', 'gfs', 'gfs2', 'vfat', 'hfs+', 'xfs', 'ocfs2', 'vmfs'];
const NETFS_FORMATS = ['auto', 'nfs', 'glusterfs', 'cifs'];
const DISK_FORMATS = ['unknown', 'dos', 'dvh', 'gpt', 'mac', 'bsd', 'pc98', 'sun', 'lvm2'];
const LOGICAL_FORMATS = ['unknown', 'lvm2'];

const none = { host: false, device: false, dir: false, adapter: false, name: false, initiator: false, network: false };
const files = { volFormats: FILE_FORMATS, defaultVolFormat: 'raw' };

export const POOL_TYPES: Readonly<Record<PoolType, PoolTypeInfo>> = {
  dir: { ...none, ...files },
  fs: { ...none, device: true, formats: FS_FORMATS, defaultFormat: 'auto', ...files },
  netfs: { ...none, host: true, dir: true, formats: NETFS_FORMATS, defaultFormat: 'auto', ...files },
  logical: { ...none, name: true, device: true, formats: LOGICAL_FORMATS, defaultFormat: 'lvm2' },
  disk: { ...none, device: true, formats: DISK_FORMATS, defaultFormat: 'unknown', volFormats: DISK_VOL_FORMATS, defaultVolFormat: 'none' },
  iscsi: { ...none, host: true, device: true, initiator: true },
  'iscsi-direct': { ...none, host: true, device: true, initiator: true, network: true },
  zfs: { ...none, name: true, device: true },
  rbd: { ...none, host: true, name: true, network: true, ...files },
  scsi: { ...none, adapter: true },
  mpath: { ...none }
};

/** Pool types libvirt knows that the agent does not support. */
export const LIBVIRT_ONLY_POOL_TYPES: ReadonlySet<string> = new Set(['sheepdog', 'gluster', 'vstorage']);

export const isPoolType = (t: string): t is PoolType => Object.prototype.hasOwnProperty.call(POOL_TYPES, t);
