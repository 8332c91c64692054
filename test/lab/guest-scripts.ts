// The scripts the lab guest runs (run.sh), one per boot: the setup a real host would have had
// from systemd and udev, then the sessions (one node program, one agent). Only ever run inside
// the guest (run.sh), never on the host.
import { REPO } from '../helpers/paths.js';

/**
 * device-mapper without udev: lvm2 makes the /dev nodes itself (activation udev_sync=0,
 * udev_rules=0: without them an lvcreate waits for a udev that never answers).
 */
export const LVM_SETUP = `modprobe dm_mod
modprobe dm_snapshot
modprobe dm_thin_pool
mkdir -p /etc/lvm
cat > /etc/lvm/lvmlocal.conf <<'LVMCONF'
activation {
	udev_sync = 0
	udev_rules = 0
}
LVMCONF
`;

/**
 * The kernel NFS server: /export (a tmpfs) for v3, and for v4 a tmpfs pseudo-root (fsid=0)
 * with /export bind-mounted under it, so 127.0.0.1:/export is the same folder in v3 and v4
 * (the overlay root cannot be exported). Grace periods cut to 10 s, or a first lock waits ~46 s.
 */
export const NFS_SETUP = `modprobe nfsd
modprobe nfs
modprobe nfsv3
modprobe nfsv4
mount -t nfsd nfsd /proc/fs/nfsd
mkdir -p /export /srv/nfs4 /var/lib/nfs/rpc_pipefs /var/lib/nfs/v4recovery
mount -t tmpfs -o size=64m tmpfs /export
mount -t tmpfs tmpfs /srv/nfs4
mkdir -p /srv/nfs4/export
mount --bind /export /srv/nfs4/export
mount -t rpc_pipefs rpc_pipefs /var/lib/nfs/rpc_pipefs || true
cat > /etc/exports <<'EXPORTS'
/srv/nfs4 127.0.0.1(rw,fsid=0,no_root_squash,no_subtree_check,insecure,crossmnt)
/srv/nfs4/export 127.0.0.1(rw,fsid=1,no_root_squash,no_subtree_check,insecure)
/export 127.0.0.1(rw,fsid=2,no_root_squash,no_subtree_check,insecure)
EXPORTS
echo 10 > /proc/fs/nfsd/nfsv4leasetime
echo 10 > /proc/fs/nfsd/nfsv4gracetime
echo 10 > /proc/sys/fs/nfs/nlm_grace_period 2>/dev/null || true
rpcbind -w
rpc.statd --no-notify
exportfs -ra
rpc.mountd
rpc.nfsd 4
`;

/** smbd with one guest share, "share" (a tmpfs), on port 445 only. */
export const SMB_SETUP = `mkdir -p /srv/smb /var/lib/samba/private /var/cache/samba /run/samba /var/log/samba /etc/samba
mount -t tmpfs -o size=64m tmpfs /srv/smb
cat > /etc/samba/lab.conf <<'SMBCONF'
[global]
  workgroup = WORKGROUP
  server role = standalone server
  map to guest = Bad User
  guest account = root
  smb ports = 445
  disable netbios = yes
  load printers = no
  log file = /var/log/samba/lab.log
[share]
  path = /srv/smb
  guest ok = yes
  read only = no
  force user = root
SMBCONF
smbd -D -s /etc/samba/lab.conf
modprobe cifs
`;

/** Run the guest's node program with these sessions (main.ts); its output goes to run.log. */
export const sessions = (...args: string[]): string =>
  `echo "== sessions $(cut -d' ' -f1 /proc/uptime)"\n(cd ${REPO} && node dist/test/lab/guest/main.js /lab ${args.join(' ')}) || exit $?\necho "== end $(cut -d' ' -f1 /proc/uptime)"\n`;
