import type { ToolProbe } from './types.js';

// libiscsi's tools (iscsi-ls, iscsi-inq, iscsi-readcapacity16) have no --version and print none
// anywhere, so Debian's package database answers: `dpkg-query -W -f '${Version}' libiscsi-bin`
// prints "1.19.0-3". iscsi-ls must be installed and keys the probe cache (an upgrade replaces it).
// On a host without dpkg the probe reads no version and the iscsi-direct operations say so.
export function parseDpkgVersion(stdout: string): string | null {
  const m = /^(?:\d+:)?(\d+\.\d+(?:\.\d+)?)/.exec(stdout.trim());
  return m?.[1] ?? null;
}

export const libiscsiProbe: ToolProbe = {
  tool: 'libiscsi',
  binary: 'dpkg-query',
  versionOf: 'iscsi-ls',
  package: 'libiscsi-bin',
  args: ['-W', '-f=${Version}', 'libiscsi-bin'],
  parse: (stdout) => parseDpkgVersion(stdout)
};
