import type { ToolProbe } from './types.js';

// util-linux serves the fs/netfs pools: blkid, mkfs, mount, umount, findmnt, wipefs. Each prints
// the same release: "blkid from util-linux 2.38.1  (libblkid 2.38.1, 04-Aug-2022)".
export const utilLinuxProbe: ToolProbe = {
  tool: 'util-linux',
  binary: 'blkid',
  package: 'util-linux',
  args: ['-V'],
  parse: (stdout) => /from util-linux (\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1] ?? null
};
