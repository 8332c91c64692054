// Issue 17 for file volumes: a full file system is a clean NO_SPACE, never a half-written
// volume. A dir pool on a small tmpfs (real ENOSPC from the kernel), driven over JSON-RPC:
// create (allocated raw, qcow2), copy; then the pool's definition and other volumes untouched.
import t from 'tap';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { RpcSession } from '../../helpers/rpc-session.js';
import { tempDir } from '../../helpers/paths.js';
import { isMounted } from '../../helpers/loop.js';
import { seededBytes } from '../../lab/guest/devices.js';

const MiB = 1024 * 1024;
const needsRoot = process.getuid?.() !== 0 ? 'mounting a small tmpfs needs root' : false;
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

t.test('file volumes on a full file system', { skip: needsRoot }, async (t) => {
  const dir = tempDir(t, 'sa-nospace-');
  const mp = join(dir, 'fs');
  mkdirSync(mp);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', mp]);
  t.teardown(async () => {
    if (isMounted(mp)) await execa('umount', [mp], { reject: false });
  });
  const agent = RpcSession.start(t, join(dir, 'home'));
  await agent.ok('pool.define', { name: 'small', type: 'dir', target: { path: mp } });
  await agent.ok('pool.start', { pool: 'small' });

  await agent.ok('vol.create', { pool: 'small', name: 'a.raw', capacity: 6 * MiB, allocation: 6 * MiB });
  writeFileSync(join(mp, 'a.raw'), seededBytes(17, 6 * MiB));
  const aHash = sha(join(mp, 'a.raw'));
  const files = () => readdirSync(mp).sort();

  const big = await agent.fails('vol.create', { pool: 'small', name: 'big.raw', capacity: 32 * MiB, allocation: 32 * MiB });
  t.equal(big.code, 'NO_SPACE', `allocated create larger than the free space: ${big.message}`);
  t.match(big.message, /33554432 bytes to write, \d+ bytes free/, 'refused before writing, with the numbers');
  t.same(files(), ['a.raw'], 'no partial file left');

  await agent.ok('vol.copy', { pool: 'small', name: 'b.raw', from: { pool: 'small', vol: 'a.raw' } });
  t.equal(sha(join(mp, 'b.raw')), aHash, 'a copy that fits is equal to its source');
  const c = await agent.fails('vol.copy', { pool: 'small', name: 'c.raw', from: { pool: 'small', vol: 'a.raw' } });
  t.equal(c.code, 'NO_SPACE', `a copy that cannot fit: ${c.message}`);
  t.match(c.message, /6291456 bytes to write, \d+ bytes free/, 'refused before writing');
  t.same(files(), ['a.raw', 'b.raw'], 'no partial copy left');
  const over = await agent.fails('vol.copy', { pool: 'small', name: 'c.raw', from: { pool: 'small', vol: 'a.raw' }, overcommit: true });
  t.equal(over.code, 'NO_SPACE', `overcommit asked, the write runs out: ${over.message}`);
  t.match(over.message, /No space left on device/, "the tool's ENOSPC");
  t.same(files(), ['a.raw', 'b.raw'], 'no partial copy left after ENOSPC');

  // Fill what is left, then a qcow2 (its header needs a few KiB) and a sparse raw.
  await execa('dd', ['if=/dev/zero', `of=${join(mp, 'filler')}`, 'bs=1M'], { reject: false });
  const q = await agent.fails('vol.create', { pool: 'small', name: 'q.qcow2', capacity: 1024 * MiB, format: 'qcow2' });
  t.equal(q.code, 'NO_SPACE', `qcow2 on a full file system: ${q.message}`);
  const qc = await agent.fails('vol.copy', { pool: 'small', name: 'q2.qcow2', from: { pool: 'small', vol: 'a.raw' }, format: 'qcow2' });
  t.equal(qc.code, 'NO_SPACE', `qcow2 copy on a full file system: ${qc.message}`);
  t.same(files(), ['a.raw', 'b.raw', 'filler'], 'no partial file left');

  t.equal(sha(join(mp, 'a.raw')), aHash, 'the other volumes are untouched');
  const info = await agent.ok<{ state: string }>('pool.get', { name: 'small' });
  t.equal(info.state, 'running', 'the pool is still defined and running');
  const list = await agent.ok<{ volumes: { name: string }[] }>('vol.list', { pool: 'small' });
  t.same(list.volumes.map((v) => v.name).sort(), ['a.raw', 'b.raw', 'filler']);
});
