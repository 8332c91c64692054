import type { ToolProbe } from './types.js';

// The runner's own confined file API (runner/exec/pool-fs.ts). It has no binary; its "version"
// is the API's, so file scriptlets are selected like any other.
export const posixProbe: ToolProbe = {
  tool: 'posix',
  binary: null,
  package: 'storage-agent',
  args: [],
  parse: () => '1.0.0'
};
