import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { mountStart } from '../lib/fsmount-ops.js';

export default defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['fs', 'netfs'],
  tool: 'util-linux',
  versions: '>=2.25.0 <3.0.0',
  why: 'util-linux 2.24 was the last release with the old, non-libmount mount(8) (v2.24 release notes); from 2.25 mount and umount are libmount\'s, whose messages are mapped here. blkid -p -o export, findmnt --mountpoint, wipefs --all and the mkfs front end all predate 2.25. findmnt first (already mounted from the same source is success), then mount -t TYPE SOURCE TARGET as libvirt does (cifs -o guest, glusterfs -o direct-io-mode=1, nfs -o nfsvers=N).',
  binaries: ['findmnt', 'mount'],
  run: (ctx, input) => mountStart(ctx, input)
});
