// What the zfs-0.8 series is: OpenZFS 0.8 up to (not including) 2.3. 0.8 is the first release with
// `zfs version` (the probe), and the -H -p scripting output read here is the same from 0.8 on.
export const ZFS_08 = {
  versions: '>=0.8.0 <2.3.0',
  why: 'OpenZFS 0.8.0 (2019) is the first release with `zfs version`, which the probe reads; -H -p output (one tab between fields, exact bytes) is unchanged from 0.8 on.'
} as const;
