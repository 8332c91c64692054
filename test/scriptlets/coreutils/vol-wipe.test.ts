// coreutils-8.16/vol-wipe's pure parts: the dd argv, and the in-use check read from lsblk -P (the
// outputs below are util-linux 2.38.1's, captured on this machine for a mounted ext4 partition,
// an active swap partition and an idle one).
import t from 'tap';
import { busyArgv, busyReason, ddWipeArgv } from '../../../scriptlets/coreutils-8.16/vol-wipe.js';

t.test('dd argv', async (t) => {
  t.same(ddWipeArgv('/dev/loop1p3', 16777216, 'zero'), [
    'dd', 'if=/dev/zero', 'of=/dev/loop1p3', 'bs=1M', 'count=16777216', 'iflag=fullblock,count_bytes', 'oflag=direct', 'conv=notrunc,fsync', 'status=none'
  ]);
  t.equal(ddWipeArgv('/dev/x', 1, 'random')[1], 'if=/dev/urandom');
});

t.test('in-use check', async (t) => {
  t.same(busyArgv('/dev/loop1p1'), ['lsblk', '-P', '-o', 'NAME,TYPE,MOUNTPOINT', '/dev/loop1p1']);
  t.same(busyReason('NAME="loop1p1" TYPE="part" MOUNTPOINT="/tmp/sa-exp/mnt"\n'), { busy: 'it is mounted on /tmp/sa-exp/mnt' });
  t.same(busyReason('NAME="loop1p3" TYPE="part" MOUNTPOINT="[SWAP]"\n'), { busy: 'it is active swap' });
  t.same(busyReason('NAME="loop1p4" TYPE="part" MOUNTPOINT=""\n'), { busy: null });
  t.ok('unreadable' in busyReason(''), 'nothing listed is not "idle"');
  t.ok('unreadable' in busyReason('loop1p4 part\n'), 'not pairs output');
});
