import type { ToolProbe } from './types.js';

// "parted (GNU parted) 3.5" (the same first line from 1.8.8 to 3.5, see
// shared/recordings/parted-*/01-version.json).
export const partedProbe: ToolProbe = {
  tool: 'parted',
  binary: 'parted',
  package: 'parted',
  args: ['--version'],
  parse: (stdout) => /^parted \(GNU parted\) (\d+\.\d+(?:\.\d+)*)/m.exec(stdout)?.[1] ?? null
};
