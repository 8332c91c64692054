// What the zfs-0.8 series is: OpenZFS from 0.8.0, the first release with `zfs version` (the
// probe reads it), through 2.x. The -H -p scripting output read here (no header, one tab between
// fields, exact bytes) is the same from 0.8 on, 2.3 included. OpenZFS 2.3.0 (January 2025) added
// JSON output (-j) to zfs list / get and zpool list / status / get; it is not read, so 2.3 is no
// series of its own (a series holds only what changed):
// - -j prints numbers as display strings ("290K") unless --json-int is added, and declares its
//   own format version 0.1 ("vers_major": 0), i.e. not yet settled;
// - -H -p gives exact bytes in every release, and one parser keeps one set of goldens meaningful
//   for all of them (golden/zfs-2.3.0 replays these scriptlets at 2.3.0);
// - the only public real output found for these commands is in -H -p and default form.
// A release whose output changes gets a folder overriding the parsers (zpool.ts) only.
export const ZFS_08 = {
  versions: '>=0.8.0 <3.0.0',
  why: 'OpenZFS 0.8.0 (2019) is the first release with `zfs version`, which the probe reads; -H -p output (one tab between fields, exact bytes) is the same from 0.8 on, 2.3 included (its new -j JSON is not read: display strings without --json-int, format version 0.1).'
} as const;
