import { defineScriptlet, done } from '../../runner/scriptlet/api.js';

// A dir pool (or a disk pool, whose partitions stay where they are) holds nothing open: stopping it is only a state change, kept by the runner.
export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['dir', 'disk'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run() {
    return done({});
  }
});
