// Pure helpers of the fs/netfs scriptlets, on real util-linux output from this machine.
import t from 'tap';
import { classifyMessage, describeSignature, fsSources, mkfsArgv, mountArgv, mountSource, parseBlkidExport, parseFindmnt } from '../../../scriptlets/lib/fsmount.js';
import type { PoolDefinition } from '../../../runner/contracts/generated.js';

const blkid = 'DEVNAME=/dev/loop2p1\nUUID=119158d8-e907-42fc-9522-655a734d78af\nVERSION=1.0\nBLOCK_SIZE=1024\nTYPE=ext4\nUSAGE=filesystem\nPART_ENTRY_SCHEME=gpt\nPART_ENTRY_NAME=primary\n';
const pt = 'DEVNAME=/dev/loop2\nPTUUID=8d16db33-25d1-4147-bf6b-1d35555d68a5\nPTTYPE=gpt\n';

t.test('blkid -o export', async (t) => {
  const r = parseBlkidExport(`${blkid}\n${pt}`);
  t.equal(r.length, 2);
  t.equal(r[0]?.['TYPE'], 'ext4');
  t.equal(describeSignature(r[0]), 'a ext4 file system signature');
  t.equal(describeSignature(r[1]), 'a gpt partition table');
  t.same(fsSources(r), [{ devices: [{ path: '/dev/loop2p1' }], format: 'ext4' }]);
  t.same(fsSources(parseBlkidExport('DEVNAME=/dev/x\nTYPE=swap\nUSAGE=other\n')), []);
  t.equal(parseBlkidExport('DEVNAME=/dev/a\\ b\nTYPE=ext4\n')[0]?.['DEVNAME'], '/dev/a b');
});

t.test('findmnt --raw', async (t) => {
  t.same(parseFindmnt('/dev/loop2p1 ext4 /tmp/dk/mnt\n'), { source: '/dev/loop2p1', fstype: 'ext4', target: '/tmp/dk/mnt' });
  t.equal(parseFindmnt('/dev/x ext4 /tmp/a\\x20b\n')?.target, '/tmp/a b');
  t.equal(parseFindmnt(''), null);
});

const pool = (p: Partial<PoolDefinition>): PoolDefinition => ({ name: 'p', uuid: '6a0f9d1e-2c4b-4e7a-9b1d-5e8c7f3a2b19', type: 'netfs', target: { path: '/mnt' }, ...p });

t.test('mount sources like libvirt', async (t) => {
  const nfs = mountSource(pool({ source: { hosts: [{ name: 'srv' }], dir: '/export', format: 'nfs', protocolVersion: '4.1' } }));
  t.same(nfs.ok && mountArgv(nfs.value, '/mnt'), ['mount', '-t', 'nfs', '-o', 'nfsvers=4.1', 'srv:/export', '/mnt']);
  const auto = mountSource(pool({ source: { hosts: [{ name: 'srv' }], dir: '/export', format: 'auto' } }));
  t.same(auto.ok && mountArgv(auto.value, '/mnt'), ['mount', 'srv:/export', '/mnt']);
  const cifs = mountSource(pool({ source: { hosts: [{ name: 'example.com' }], dir: 'samba_share', format: 'cifs' } }));
  t.same(cifs.ok && mountArgv(cifs.value, '/mnt/cifs'), ['mount', '-t', 'cifs', '-o', 'guest', '//example.com/samba_share', '/mnt/cifs']);
  const gl = mountSource(pool({ source: { hosts: [{ name: 'example.com' }], dir: '/volume', format: 'glusterfs' } }));
  t.same(gl.ok && gl.value.source, 'example.com:volume');
  t.equal(mountSource(pool({ source: { hosts: [{ name: 'h' }], dir: '/d', format: 'ceph' } })).ok, false);
  t.equal(mountSource(pool({ source: {} })).ok, false);
  const fs = mountSource(pool({ type: 'fs', source: { devices: [{ path: '/dev/sda6' }], format: 'ext3' } }));
  t.same(fs.ok && mountArgv(fs.value, '/mnt'), ['mount', '-t', 'ext3', '/dev/sda6', '/mnt']);
});

t.test('mkfs argv and messages', async (t) => {
  t.same(mkfsArgv('ext4', '/dev/x'), ['mkfs', '-t', 'ext4', '-F', '/dev/x']);
  t.same(mkfsArgv('xfs', '/dev/x'), ['mkfs', '-t', 'xfs', '-f', '/dev/x']);
  t.equal(mkfsArgv('ntfs', '/dev/x'), null);
  // Real messages from this machine (util-linux 2.38.1, e2fsprogs 1.47.0).
  t.equal(classifyMessage('', "mount: /tmp/dk/mnt: unknown filesystem type 'nfs'.\n       dmesg(1) may have more information after failed mount system call.\n")?.code, 'TOOL_MISSING');
  t.equal(classifyMessage('', 'umount: /tmp/dk/mnt: target is busy.\n')?.code, 'POOL_BUSY');
  t.equal(classifyMessage('', 'wipefs: error: /dev/loop2p1: probing initialization failed: Device or resource busy\n')?.code, 'POOL_BUSY');
  t.same(classifyMessage('', 'mkfs.xfs: /dev/loop0 contains a mounted filesystem\nUsage: mkfs.xfs\n/* blocksize */\t\t[-b size=num]\n'), { code: 'POOL_BUSY', line: 'mkfs.xfs: /dev/loop0 contains a mounted filesystem' }, 'mkfs.xfs -f over a mounted xfs');
  t.equal(classifyMessage('', 'mkfs: failed to execute mkfs.btrfsx: No such file or directory\n')?.code, 'TOOL_MISSING');
  t.equal(classifyMessage('', 'mke2fs 1.47.0 (5-Feb-2023)\nThe file /dev/nonexist does not exist and no size was specified.\n')?.code, 'INVALID_ARGUMENT');
  t.equal(classifyMessage('', 'mount: /tmp/dk/mnt: special device /dev/loop2p1 does not exist.\n')?.code, 'INVALID_ARGUMENT');
  t.equal(classifyMessage('', 'Filesystem must be larger than 300MB.\n')?.code, 'NO_SPACE');
  t.equal(classifyMessage('', 'something else\n'), null);
});
