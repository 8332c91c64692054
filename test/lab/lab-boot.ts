// The one boot the lab's test and its recording share: three virtio disks (the logical
// session's PV, then ext4 and xfs for the fs session), the servers, and every session.
import { bootLab, type LabRun } from './boot.js';
import { LVM_SETUP, NFS_SETUP, SMB_SETUP, sessions } from './guest-scripts.js';

const MiB = 1024 * 1024;

/**
 * The whole boot's time limit: a guard against a hung guest, not a performance check (tests do
 * not depend on the machine's load). Its wall time on an unshared 2-core host is a few minutes
 * (README); this limit leaves room for a host shared with other work.
 */
export const BOOT_LIMIT_MS = 20 * 60 * 1000;

export function bootAllSessions(opts: { record?: boolean } = {}): Promise<LabRun> {
  return bootLab({
    timeoutMs: BOOT_LIMIT_MS,
    disks: [{ bytes: 512 * MiB }, { bytes: 256 * MiB }, { bytes: 512 * MiB }],
    script: LVM_SETUP + NFS_SETUP + SMB_SETUP + sessions('logical:/dev/vda', 'netfs', 'fs:/dev/vdb,/dev/vdc'),
    ...(opts.record ? { files: { record: '1' } } : {})
  });
}
