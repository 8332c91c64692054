import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { fsFindSources } from '../lib/fsmount-ops.js';

export default defineScriptlet({
  operation: 'pool.findSources',
  poolTypes: ['fs'],
  tool: 'util-linux',
  versions: '>=2.25.0 <3.0.0',
  why: 'util-linux 2.24 was the last release with the old, non-libmount mount(8) (v2.24 release notes); from 2.25 mount and umount are libmount\'s, whose messages are mapped here. blkid -p -o export, findmnt --mountpoint, wipefs --all and the mkfs front end all predate 2.25. blkid -c /dev/null probes every device now (no cache), or blkid -p the one asked for.',
  binaries: ['blkid'],
  run: (ctx, input) => fsFindSources(ctx, input)
});
