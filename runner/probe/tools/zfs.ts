import type { ToolProbe } from './types.js';

// `zfs version` (OpenZFS 0.8 on) prints the userland version first, then the kernel module's:
//   zfs-2.1.5-1ubuntu6~22.04.1
//   zfs-kmod-2.1.5-1ubuntu6~22.04.1
// (the second line is missing, with an error on stderr, when the module is not loaded). Only the
// userland line counts: it is what parses the commands' output. Before 0.8 there is no
// `zfs version`; such hosts read no version and the zfs operations say so.
export function parseZfsVersion(stdout: string): string | null {
  return /^zfs-(\d+\.\d+\.\d+)/m.exec(stdout)?.[1] ?? null;
}

export const zfsProbe: ToolProbe = {
  tool: 'zfs',
  binary: 'zfs',
  package: 'zfsutils-linux',
  args: ['version'],
  parse: (stdout) => parseZfsVersion(stdout)
};
