import type { ToolProbe } from './types.js';

// "qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)" (also "qemu-img version 2.0.0,
// Copyright ..." on old releases).
export const qemuImgProbe: ToolProbe = {
  tool: 'qemu-img',
  binary: 'qemu-img',
  package: 'qemu-utils',
  args: ['--version'],
  parse: (stdout) => /^qemu-img version (\d+\.\d+(?:\.\d+)?)/m.exec(stdout)?.[1] ?? null
};
