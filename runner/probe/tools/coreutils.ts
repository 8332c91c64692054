import type { ToolProbe } from './types.js';

// dd wipes block volumes (partitions): "dd (coreutils) 9.1".
export const coreutilsProbe: ToolProbe = {
  tool: 'coreutils',
  binary: 'dd',
  package: 'coreutils',
  args: ['--version'],
  parse: (stdout) => /^dd \((?:GNU )?coreutils\) (\d+\.\d+(?:\.\d+)?)/m.exec(stdout)?.[1] ?? null
};
