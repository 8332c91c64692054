// What the open-iscsi-2.0.874 series is: iscsiadm from 2.0.874 (Debian 10, Ubuntu 18.04/20.04,
// RHEL 7/8 as "6.2.0.874") through the 2.1.x meson releases (Debian 12: 2.1.8). What the
// scriptlets read is printed by the same format strings in 2.0.874 and 2.1.8 (usr/session_info.c:
// "Target: IQN (non-flash)", "\tCurrent Portal: ADDR:PORT,TPGT", "scsiH Channel 00 Id T Lun: N",
// "Attached scsi disk sdX"; discovery's "ADDR:PORT,TPGT IQN" lines), and the exit codes are the
// same table (include/iscsi_err.h). The version banner, which did change ("2.0-874" became
// "2.1.8"), is the probe's business. A release that changes any of these gets its own folder
// importing this one.
export const OPEN_ISCSI = {
  versions: '>=2.0.874 <3.0.0',
  why: 'iscsiadm 2.0.874 through 2.1.x print discovery and `-m session -P 3` with the same format strings and exit with the same iscsi_err.h codes; only the version banner changed (2.0-874 to 2.1.8).'
} as const;
