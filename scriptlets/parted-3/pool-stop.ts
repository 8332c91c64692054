import { defineScriptlet, done } from '../../runner/scriptlet/api.js';

// A disk pool holds nothing open: stopping it only stops the agent using it (as libvirt's disk
// backend does), so there is no command to run.
export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['disk'],
  tool: 'parted',
  versions: '>=3.0.0 <3.4.64',
  why: 'Stopping a disk pool runs no command in any parted release; the range only follows the series.',
  binaries: [],
  run: async () => done({})
});
