import type { ToolProbe } from './types.js';

// "lsblk from util-linux 2.38.1" (also "lsblk from util-linux-ng 2.17.2" on the backports of the
// -ng era, and "2.39-rc1"-style pre-releases).
export const lsblkProbe: ToolProbe = {
  tool: 'lsblk',
  binary: 'lsblk',
  package: 'util-linux',
  args: ['--version'],
  parse: (stdout) => /^lsblk from util-linux(?:-ng)? (\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)/m.exec(stdout)?.[1] ?? null
};
