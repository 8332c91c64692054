import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { wipeDelete } from '../lib/fsmount-ops.js';

export default defineScriptlet({
  operation: 'pool.delete',
  poolTypes: ['disk', 'fs'],
  tool: 'util-linux',
  versions: '>=2.25.0 <3.0.0',
  why: 'util-linux 2.24 was the last release with the old, non-libmount mount(8) (v2.24 release notes); from 2.25 mount and umount are libmount\'s, whose messages are mapped here. blkid -p -o export, findmnt --mountpoint, wipefs --all and the mkfs front end all predate 2.25. wipefs --all removes the label (disk) or file system signature (fs): parted has no command to drop a label.',
  binaries: ['wipefs'],
  run: (ctx, input) => wipeDelete(ctx, input)
});
