// A JSON-RPC session with `storage-agent --home TMP serve` on loop devices: a disk pool defined
// from XML, labelled, partitioned (create, list, resize, delete), its free extents in the pool XML;
// an ext4 fs pool on one partition (mounted while running); an xfs fs pool on a whole device. Every
// pool and volume XML the agent writes is checked with libvirt's own virt-xml-validate.
import t from 'tap';
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, Volume } from '../../../runner/contracts/generated.js';
import { RpcSession } from '../../helpers/rpc-session.js';
import { HAVE_VALIDATOR, validateXml } from '../../helpers/xml-validate.js';
import { isMounted, kernelPartitions, loopArea, MiB, needsRoot } from '../../helpers/loop.js';

const skip = needsRoot || (HAVE_VALIDATOR ? false : 'virt-xml-validate (Debian package libvirt-clients) is not installed');

/** libvirt's RelaxNG check of an XML document the agent wrote: 'valid', or the validator's complaint. */
const validate = (dir: string, name: string, xml: string, schema: 'storagepool' | 'storagevol') => validateXml(dir, `${name}.xml`, xml, schema) ?? 'valid';

t.test('disk and fs pools over JSON-RPC', { skip }, async (t) => {
  const area = await loopArea(t, 'sa-rpc-disk-');
  const loop = await area.attach('256M');
  const mnt = area.mountPoint('mnt');
  const rpc = RpcSession.start(t, join(area.dir, 'home'));
  const part = (n: number) => `${loop}p${n}`;
  const base = (n: number) => part(n).slice('/dev/'.length);

  const v = await rpc.ok<{ agent: string }>('agent.version');
  t.type(v.agent, 'string', 'the agent answers');

  // --- disk pool -------------------------------------------------------------------------------
  const poolXml = `<pool type='disk'>
  <name>rpcdisk</name>
  <source>
    <device path='${loop}'/>
    <format type='gpt'/>
  </source>
  <target>
    <path>/dev</path>
  </target>
</pool>
`;
  const defined = await rpc.ok<Pool>('pool.define', { xml: poolXml });
  t.match(defined, { name: 'rpcdisk', type: 'disk', state: 'inactive' }, 'defined from XML');
  t.match(defined.uuid, /^[0-9a-f-]{36}$/, 'a UUID was generated');
  t.equal(validate(area.dir, 'disk-inactive', (await rpc.ok<{ xml: string }>('pool.dumpXml', { pool: 'rpcdisk' })).xml, 'storagepool'), 'valid', 'inactive disk pool XML validates');
  await rpc.ok('pool.build', { pool: 'rpcdisk' });
  const running = await rpc.ok<Pool>('pool.start', { pool: 'rpcdisk' });
  t.equal(running.state, 'running');
  t.equal(running.capacity, 256 * MiB, 'capacity is the device');
  t.equal(running.allocation, 0, 'nothing allocated yet');

  // Three partitions: one from volume XML, two from fields.
  const fromXml = await rpc.ok<Volume>('vol.create', {
    pool: 'rpcdisk',
    xml: `<volume><name>first</name><capacity unit='MiB'>48</capacity><target><format type='none'/></target></volume>`
  });
  t.match(fromXml, { name: base(1), path: part(1), type: 'block', capacity: 48 * MiB, pool: 'rpcdisk' }, 'partition 1 from XML');
  const second = await rpc.ok<Volume>('vol.create', { pool: 'rpcdisk', name: 'second', capacity: 32 * MiB, format: 'linux-lvm' });
  t.match(second, { name: base(2), format: 'linux-lvm', capacity: 32 * MiB });
  const third = await rpc.ok<Volume>('vol.create', { pool: 'rpcdisk', name: 'third', capacity: 16 * MiB });
  t.match(third, { name: base(3), capacity: 16 * MiB });
  t.same(kernelPartitions(loop), [1, 2, 3], 'the kernel has the three partition nodes');

  const listed = await rpc.ok<{ volumes: Volume[] }>('vol.list', { pool: 'rpcdisk' });
  t.same(listed.volumes.map((x) => [x.name, x.capacity]), [[base(1), 48 * MiB], [base(2), 32 * MiB], [base(3), 16 * MiB]], 'vol.list');
  const info = await rpc.ok<Pool>('pool.get', { pool: 'rpcdisk' });
  t.equal(info.allocation, 96 * MiB, 'allocation is the partitions');
  const extents = info.source?.devices?.[0]?.freeExtents ?? [];
  t.ok(extents.length >= 1, 'pool.get shows free extents of the source device');
  const tail = extents.at(-1);
  t.ok(tail && tail.start >= 97 * MiB && tail.end > 250 * MiB, `the free tail after partition 3: ${JSON.stringify(tail)}`);
  const dump = (await rpc.ok<{ xml: string }>('pool.dumpXml', { pool: 'rpcdisk' })).xml;
  t.match(dump, new RegExp(`<device path='${loop}'>\\s*(<freeExtent start='\\d+' end='\\d+'/>\\s*)+</device>`), 'pool.dumpXml: <freeExtent> in the source device');
  for (const e of extents) t.match(dump, `<freeExtent start='${e.start}' end='${e.end}'/>`, `extent ${e.start}-${e.end} in the XML`);
  t.match(dump, /<allocation unit='bytes'>100663296<\/allocation>/, 'sizes in the XML');
  t.equal(validate(area.dir, 'disk-running', dump, 'storagepool'), 'valid', 'running disk pool XML (with free extents) validates');

  const volDump = (await rpc.ok<{ xml: string }>('vol.dumpXml', { volume: { pool: 'rpcdisk', vol: base(2) } })).xml;
  t.match(volDump, `<path>${part(2)}</path>`);
  t.match(volDump, new RegExp(`<source>\\s*<device path='${loop}'>\\s*<extent start='${49 * MiB}' end='${81 * MiB}'/>\\s*</device>\\s*</source>`), 'the partition\'s extent on its disk, as libvirt writes it');
  t.equal(validate(area.dir, 'partition', volDump, 'storagevol'), 'valid', 'partition volume XML validates');

  const resized = await rpc.ok<Volume>('vol.resize', { volume: { pool: 'rpcdisk', vol: base(3) }, capacity: 64 * MiB });
  t.equal(resized.capacity, 64 * MiB, 'partition 3 grown');
  t.equal((await rpc.ok<Volume>('vol.get', { path: part(3) })).capacity, 64 * MiB, 'vol.get by path sees it');

  await rpc.ok('vol.delete', { volume: { pool: 'rpcdisk', vol: base(2) } });
  t.notOk(existsSync(part(2)), 'partition 2 node is gone');
  t.same((await rpc.ok<{ volumes: Volume[] }>('vol.list', { pool: 'rpcdisk' })).volumes.map((x) => x.name), [base(1), base(3)], 'two partitions left');
  const afterDelete = await rpc.ok<Pool>('pool.get', { pool: 'rpcdisk' });
  t.equal(afterDelete.allocation, 112 * MiB, 'allocation 48 + 64 MiB');
  t.ok((afterDelete.source?.devices?.[0]?.freeExtents ?? []).some((e) => e.start === 49 * MiB && e.end === 81 * MiB), 'the hole partition 2 left is a free extent');

  // --- ext4 fs pool on partition 1 ---------------------------------------------------------------
  const fsXml = `<pool type='fs'>
  <name>rpcfs</name>
  <source>
    <device path='${part(1)}'/>
    <format type='ext4'/>
  </source>
  <target>
    <path>${mnt}</path>
  </target>
</pool>
`;
  await rpc.ok('pool.define', { xml: fsXml });
  await rpc.ok('pool.build', { pool: 'rpcfs' });
  t.ok(existsSync(mnt), 'build made the target directory');
  const fsRunning = await rpc.ok<Pool>('pool.start', { pool: 'rpcfs' });
  t.equal(fsRunning.state, 'running');
  t.ok(isMounted(mnt), `${mnt} is in /proc/self/mountinfo`);
  t.ok(fsRunning.capacity > 30 * MiB && fsRunning.capacity <= 48 * MiB, `fs capacity ${fsRunning.capacity}`);
  const raw = await rpc.ok<Volume>('vol.create', { pool: 'rpcfs', name: 'guest.raw', capacity: 8 * MiB, format: 'raw' });
  t.match(raw, { name: 'guest.raw', path: `${mnt}/guest.raw`, type: 'file', format: 'raw', capacity: 8 * MiB });
  t.ok(existsSync(`${mnt}/guest.raw`), 'the image is on the mounted file system');
  const fsDump = (await rpc.ok<{ xml: string }>('pool.dumpXml', { pool: 'rpcfs' })).xml;
  t.match(fsDump, `<device path='${part(1)}'/>`);
  t.equal(validate(area.dir, 'fs-running', fsDump, 'storagepool'), 'valid', 'fs pool XML validates');
  const rawDump = (await rpc.ok<{ xml: string }>('vol.dumpXml', { volume: { pool: 'rpcfs', vol: 'guest.raw' } })).xml;
  t.match(rawDump, /<format type='raw'\/>/);
  t.equal(validate(area.dir, 'raw', rawDump, 'storagevol'), 'valid', 'file volume XML validates');
  const stopped = await rpc.ok<Pool>('pool.stop', { pool: 'rpcfs' });
  t.equal(stopped.state, 'inactive');
  t.notOk(isMounted(mnt), 'unmounted');
  t.notOk(existsSync(`${mnt}/guest.raw`), 'the image is on the file system, not under the mount point');

  // --- xfs fs pool on a whole device (mkfs.xfs wants 300 MB at least) ---------------------------
  const xloop = await area.attach('320M', { partitions: false, name: 'xfs.img' });
  const xmnt = area.mountPoint('xmnt');
  await rpc.ok('pool.define', { name: 'rpcxfs', type: 'fs', source: { devices: [{ path: xloop }], format: 'xfs' }, target: { path: xmnt } });
  await rpc.ok('pool.build', { pool: 'rpcxfs' });
  t.equal(String((await execa('blkid', ['-p', '-o', 'value', '-s', 'TYPE', xloop])).stdout).trim(), 'xfs', 'mkfs.xfs made xfs');
  const xfs = await rpc.ok<Pool>('pool.start', { pool: 'rpcxfs' });
  t.ok(isMounted(xmnt), 'xfs mounted');
  t.ok(xfs.capacity > 200 * MiB && xfs.capacity <= 320 * MiB, `xfs capacity ${xfs.capacity}`);
  t.equal(validate(area.dir, 'xfs', (await rpc.ok<{ xml: string }>('pool.dumpXml', { pool: 'rpcxfs' })).xml, 'storagepool'), 'valid', 'xfs pool XML validates');
  await rpc.ok('pool.stop', { pool: 'rpcxfs' });
  t.notOk(isMounted(xmnt), 'xfs unmounted');

  const listing = await rpc.ok<{ pools: Pool[] }>('pool.list', {});
  t.same(listing.pools.filter((p) => p.name.startsWith('rpc')).map((p) => [p.name, p.state]).sort(), [['rpcdisk', 'running'], ['rpcfs', 'inactive'], ['rpcxfs', 'inactive']]);
  await rpc.ok('pool.stop', { pool: 'rpcdisk' });

  t.equal(await rpc.close(), 0, 'EOF: the agent exits 0');
  t.same(rpc.junk, [], 'nothing but JSON-RPC on stdout');
});
