// Every tool the agent knows how to probe. A new tool is a probe here and scriptlets; a new
// version of a known tool is only a scriptlet and a golden.
import type { ToolProbe } from './types.js';
import { posixProbe } from './posix.js';
import { qemuImgProbe } from './qemu-img.js';
import { lsblkProbe } from './lsblk.js';
import { partedProbe } from './parted.js';
import { utilLinuxProbe } from './util-linux.js';
import { coreutilsProbe } from './coreutils.js';
import { lvm2Probe } from './lvm2.js';
import { libiscsiProbe } from './libiscsi.js';
import { openIscsiProbe } from './open-iscsi.js';
import { zfsProbe } from './zfs.js';

export const TOOL_PROBES: readonly ToolProbe[] = [posixProbe, qemuImgProbe, lsblkProbe, partedProbe, utilLinuxProbe, coreutilsProbe, lvm2Probe, libiscsiProbe, openIscsiProbe, zfsProbe];
