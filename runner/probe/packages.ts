// The Debian package of every binary a scriptlet may declare, so that TOOL_MISSING can say what
// to install when a helper binary is missing (the probed tool's own package comes from its probe).
import { TOOL_PROBES } from './tools/index.js';

const PACKAGES: Record<string, string> = {
  'qemu-img': 'qemu-utils',
  parted: 'parted',
  dd: 'coreutils',
  lvm: 'lvm2',
  lvs: 'lvm2',
  vgs: 'lvm2',
  pvs: 'lvm2',
  lvcreate: 'lvm2',
  lvremove: 'lvm2',
  lvresize: 'lvm2',
  lvchange: 'lvm2',
  pvcreate: 'lvm2',
  pvremove: 'lvm2',
  vgcreate: 'lvm2',
  vgremove: 'lvm2',
  vgchange: 'lvm2',
  lsblk: 'util-linux',
  blkid: 'util-linux',
  fallocate: 'util-linux',
  findmnt: 'util-linux',
  wipefs: 'util-linux',
  mkfs: 'util-linux',
  'mkfs.ext2': 'e2fsprogs',
  'mkfs.ext3': 'e2fsprogs',
  'mkfs.ext4': 'e2fsprogs',
  'mkfs.xfs': 'xfsprogs',
  'iscsi-ls': 'libiscsi-bin',
  'iscsi-inq': 'libiscsi-bin',
  'iscsi-readcapacity16': 'libiscsi-bin',
  'dpkg-query': 'dpkg',
  iscsiadm: 'open-iscsi',
  zpool: 'zfsutils-linux',
  zfs: 'zfsutils-linux',
  // Debian 12 ships mount(8) and umount(8) in their own package.
  mount: 'mount',
  umount: 'mount'
};

export function packageOf(binary: string): string | undefined {
  return PACKAGES[binary] ?? TOOL_PROBES.find((p) => p.binary === binary)?.package;
}
