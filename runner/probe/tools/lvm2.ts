import type { ToolProbe } from './types.js';

// `lvm version` prints "  LVM version:     2.03.16(2) (2022-05-18)" on stdout ("2.02.98(2)-git
// (2012-10-15)" for builds from git tags). Without device-mapper it also writes "/dev/mapper/
// control: open failed" lines to stderr, and lvm2 warns "File descriptor N (...) leaked on lvm
// invocation" on stderr for every inherited descriptor: only the LVM version line counts.
export function parseLvmVersion(stdout: string, stderr: string): string | null {
  for (const text of [stdout, stderr]) {
    const m = /^\s*LVM version:\s*(\d+\.\d+\.\d+)/m.exec(text);
    if (m?.[1]) return m[1];
  }
  return null;
}

export const lvm2Probe: ToolProbe = {
  tool: 'lvm2',
  binary: 'lvm',
  package: 'lvm2',
  args: ['version'],
  parse: parseLvmVersion
};
