import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { mountStop } from '../lib/fsmount-ops.js';

export default defineScriptlet({
  operation: 'pool.stop',
  poolTypes: ['fs', 'netfs'],
  tool: 'util-linux',
  versions: '>=2.25.0 <3.0.0',
  why: 'util-linux 2.24 was the last release with the old, non-libmount mount(8) (v2.24 release notes); from 2.25 mount and umount are libmount\'s, whose messages are mapped here. blkid -p -o export, findmnt --mountpoint, wipefs --all and the mkfs front end all predate 2.25. umount of the target; not mounted is success.',
  binaries: ['findmnt', 'umount'],
  run: (ctx, input) => mountStop(ctx, input)
});
