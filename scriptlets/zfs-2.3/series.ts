// What the zfs-2.3 series is: OpenZFS 2.3 on. 2.3.0 (January 2025) added JSON output (-j) to
// zfs list / get and zpool list / status / get. The scriptlets still read -H -p, and the series
// reuses 0.8's argv and parsers unchanged:
// - -H -p gives exact bytes in every release; -j prints numbers as display strings ("290K")
//   unless --json-int is added, and declares its own format version 0.1 ("vers_major": 0),
//   i.e. not yet settled;
// - one parser for every release keeps one set of goldens meaningful for both series, and the
//   only public output found for these commands is the -H -p / default form.
// A later series can switch to -j by overriding the parsers here, without touching 0.8's.
export const ZFS_23 = {
  versions: '>=2.3.0 <3.0.0',
  why: 'OpenZFS 2.3.0 added -j JSON output; these scriptlets keep reading -H -p (exact bytes, stable since 0.8; the JSON form is version 0.1 and gives display strings without --json-int), so 0.8\'s argv and parsers are reused.'
} as const;
