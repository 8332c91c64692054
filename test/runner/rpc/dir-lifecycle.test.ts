// One JSON-RPC session through the whole dir pool life cycle, on the real qemu-img and file
// system, with the spec's results and error codes; the XML written validates with libvirt's schemas.
import t from 'tap';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from '../../helpers/rpc-client.js';
import { tempDir, SHARED } from '../../helpers/paths.js';
import { HAVE_VALIDATOR, validateXml } from '../../helpers/xml-validate.js';

const MiB = 1024 * 1024;

t.test('dir pool life cycle over JSON-RPC', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'pool');
  const agent = new AgentProcess(join(dir, 'home'));
  t.teardown(() => agent.child.kill());

  const xml = `<pool type='dir'><name>life</name><target><path>${target}</path><permissions><mode>0750</mode></permissions></target></pool>`;
  const defined = await agent.ok<{ name: string; state: string; uuid: string }>('pool.define', { xml });
  t.equal(defined.state, 'inactive', 'defined pools are inactive');
  t.equal(await agent.code('pool.define', { xml: xml.replace('<name>', `<uuid>${defined.uuid}</uuid><name>`) }), 'ok', 'redefining with the same UUID updates the definition');
  t.equal(await agent.code('pool.define', { name: 'life', type: 'dir', target: { path: join(dir, 'x') } }), 'POOL_EXISTS', 'same name, other UUID');
  t.equal(await agent.code('pool.define', { name: 'other', type: 'dir', target: { path: target } }), 'POOL_EXISTS', 'same target as another pool');
  t.equal(await agent.code('vol.list', { pool: 'life' }), 'POOL_INACTIVE', 'volumes of an inactive pool');
  t.equal(await agent.code('pool.start', { pool: 'life' }), 'INVALID_ARGUMENT', 'start before build: no directory');

  const plan = await agent.ok<{ plan: { fs?: string; path?: string }[] }>('pool.build', { pool: 'life', dryRun: true });
  t.ok(plan.plan.some((s) => s.fs === 'mkdirRoot' && s.path === target), 'the plan makes the target directory');
  t.notOk(existsSync(target), 'a dry run changes nothing');
  await agent.ok('pool.build', { pool: 'life' });
  t.equal(statSync(target).mode & 0o777, 0o750, 'target made with the asked mode');
  const started = await agent.ok<{ state: string; capacity: number; available: number }>('pool.start', { pool: 'life' });
  t.equal(started.state, 'running');
  t.ok(started.capacity > 0 && started.available > 0, 'sizes from the file system');
  t.equal(await agent.code('pool.start', { pool: 'life' }), 'POOL_ACTIVE', 'already running');
  t.equal(await agent.code('pool.build', { pool: 'life' }), 'POOL_ACTIVE', 'build on a running pool');
  t.equal(await agent.code('pool.undefine', { pool: 'life' }), 'POOL_ACTIVE', 'undefine a running pool');

  const raw = await agent.ok<{ path: string; capacity: number; allocation: number; format: string; key: string }>('vol.create', { pool: 'life', name: 'a.raw', capacity: 64 * MiB });
  t.equal(raw.format, 'raw');
  t.equal(raw.capacity, 64 * MiB);
  t.ok(raw.allocation < MiB, 'raw volumes are sparse');
  t.equal(raw.key, raw.path, 'a file volume\'s key is its path');
  const alloc = await agent.ok<{ allocation: number }>('vol.create', { pool: 'life', name: 'full.raw', capacity: 4 * MiB, allocation: 4 * MiB });
  t.ok(alloc.allocation >= 4 * MiB, 'allocation honoured');
  const qcow = await agent.ok<{ format: string; capacity: number }>('vol.create', { pool: 'life', xml: `<volume><name>b.qcow2</name><capacity unit='M'>32</capacity><target><format type='qcow2'/></target></volume>` });
  t.same([qcow.format, qcow.capacity], ['qcow2', 32 * MiB], 'qcow2 from volume XML with units');
  t.equal(await agent.code('vol.create', { pool: 'life', name: 'a.raw', capacity: MiB }), 'VOLUME_EXISTS');
  t.equal(await agent.code('vol.create', { pool: 'life', name: 'z.raw', capacity: 0 }), 'INVALID_ARGUMENT', 'zero capacity');
  t.equal(await agent.code('vol.create', { pool: 'life', name: 'z.raw', capacity: 1.5 }), 'INVALID_ARGUMENT', 'fractional bytes');
  t.equal(await agent.code('vol.create', { pool: 'life', name: '../escape', capacity: MiB }), 'INVALID_ARGUMENT', 'a name with /');
  t.equal(await agent.code('vol.create', { pool: 'life', xml: '<volume><name>x</name><capacity>1' }), 'XML_ERROR', 'malformed XML');

  const snap = await agent.ok<{ format: string; backingStore?: { path: string; format?: string }; capacity: number }>('vol.snapshot', { pool: 'life', name: 's.qcow2', from: { pool: 'life', vol: 'b.qcow2' } });
  t.same(snap.backingStore, { path: join(target, 'b.qcow2'), format: 'qcow2' }, 'overlay backed by the original');
  t.equal(snap.capacity, 32 * MiB, 'overlay has the backing size');

  const copied = await agent.ok<{ format: string; capacity: number; allocation: number }>('vol.copy', { pool: 'life', name: 'c.qcow2', from: { key: raw.key }, format: 'qcow2' });
  t.same([copied.format, copied.capacity], ['qcow2', 64 * MiB], 'copy converts format');
  const sparseCopy = await agent.ok<{ allocation: number; format: string }>('vol.copy', { pool: 'life', name: 'd.raw', from: { path: raw.path } });
  t.equal(sparseCopy.format, 'raw');
  t.ok(sparseCopy.allocation < MiB, 'copies stay sparse');
  t.ok(agent.notifications.some((n) => n.method === 'progress'), 'copy sends progress notifications');

  t.equal(await agent.code('vol.resize', { volume: { pool: 'life', vol: 'a.raw' }, capacity: 32 * MiB }), 'INVALID_ARGUMENT', 'shrink without shrink: true');
  const grown = await agent.ok<{ capacity: number }>('vol.resize', { volume: { pool: 'life', vol: 'a.raw' }, capacity: 128 * MiB });
  t.equal(grown.capacity, 128 * MiB, 'grown');
  const shrunk = await agent.ok<{ capacity: number }>('vol.resize', { volume: { path: join(target, 'c.qcow2') }, capacity: 16 * MiB, shrink: true });
  t.equal(shrunk.capacity, 16 * MiB, 'shrunk with shrink: true');

  const byName = await agent.ok<{ key: string }>('vol.get', { pool: 'life', vol: 's.qcow2' });
  const byKey = await agent.ok<{ name: string }>('vol.get', { key: byName.key });
  const byPath = await agent.ok<{ name: string; pool: string }>('vol.get', { path: join(target, 's.qcow2') });
  t.same([byKey.name, byPath.name, byPath.pool], ['s.qcow2', 's.qcow2', 'life'], 'lookups by name, key and path agree');
  t.equal(await agent.code('vol.get', { pool: 'life', vol: 'nope' }), 'NO_VOLUME');
  t.equal(await agent.code('vol.get', { path: '/nowhere/x.img' }), 'NO_VOLUME');
  t.equal(await agent.code('pool.get', { name: 'nope' }), 'NO_POOL');
  t.equal((await agent.ok<{ name: string }>('pool.get', { path: target })).name, 'life', 'pool by target path');
  t.equal((await agent.ok<{ name: string }>('pool.get', { uuid: defined.uuid })).name, 'life', 'pool by UUID');

  const list = await agent.ok<{ volumes: { name: string }[] }>('vol.list', { pool: 'life' });
  t.same(list.volumes.map((v) => v.name), ['a.raw', 'b.qcow2', 'c.qcow2', 'd.raw', 'full.raw', 's.qcow2'], 'vol.list');

  if (HAVE_VALIDATOR) {
    const poolXml = (await agent.ok<{ xml: string }>('pool.dumpXml', { pool: 'life' })).xml;
    t.equal(validateXml(dir, 'pool.xml', poolXml, 'storagepool'), null, 'pool XML validates');
    for (const v of ['a.raw', 's.qcow2']) {
      const vx = (await agent.ok<{ xml: string }>('vol.dumpXml', { volume: { pool: 'life', vol: v } })).xml;
      t.equal(validateXml(dir, `${v}.xml`, vx, 'storagevol'), null, `${v} XML validates`);
    }
  } else t.comment('virt-xml-validate is not installed: XML not validated');

  await agent.ok('vol.wipe', { volume: { pool: 'life', vol: 'full.raw' } });
  t.ok(readFileSync(join(target, 'full.raw')).every((b) => b === 0), 'wiped to zeros');
  await agent.ok('vol.wipe', { volume: { pool: 'life', vol: 'b.qcow2' } });

  const delPlan = await agent.ok<{ plan: { fs?: string; path?: string }[] }>('vol.delete', { volume: { pool: 'life', vol: 'd.raw' }, dryRun: true });
  t.same(delPlan.plan, [{ fs: 'unlink', path: join(target, 'd.raw') }], 'delete plan');
  t.ok(existsSync(join(target, 'd.raw')), 'dry run kept the file');
  for (const v of ['s.qcow2', 'a.raw', 'b.qcow2', 'c.qcow2', 'd.raw', 'full.raw']) await agent.ok('vol.delete', { volume: { pool: 'life', vol: v } });
  t.same((await agent.ok<{ volumes: unknown[] }>('vol.list', { pool: 'life' })).volumes, [], 'all deleted');

  await agent.ok('pool.stop', { pool: 'life' });
  t.equal(await agent.code('vol.create', { pool: 'life', name: 'x', capacity: MiB }), 'POOL_INACTIVE');
  t.equal(await agent.code('pool.stop', { pool: 'life' }), 'POOL_INACTIVE');
  await agent.ok('pool.delete', { pool: 'life' });
  t.notOk(existsSync(target), 'pool.delete removed the directory');
  await agent.ok('pool.undefine', { pool: 'life' });
  t.equal(await agent.code('pool.get', { pool: 'life' }), 'NO_POOL', 'undefined');
  t.equal(await agent.close(), 0, 'EOF: exit 0');
  t.ok(agent.stdoutLines.every((l) => { try { JSON.parse(l); return true; } catch { return false; } }), 'nothing but JSON on stdout');
});

t.test('libvirt\'s own dir pool XML is read and written back valid', { skip: !HAVE_VALIDATOR && 'virt-xml-validate missing' }, async (t) => {
  const dir = tempDir(t);
  const agent = new AgentProcess(join(dir, 'home'));
  t.teardown(() => agent.child.kill());
  for (const f of ['pool-dir.xml', 'pool-dir-naming.xml']) {
    const xml = readFileSync(join(SHARED, 'peer/libvirt/tests/storagepoolxml2xmlin', f), 'utf8');
    const p = await agent.ok<{ name: string }>('pool.define', { xml });
    const out = (await agent.ok<{ xml: string }>('pool.dumpXml', { pool: p.name })).xml;
    t.equal(validateXml(dir, f, out, 'storagepool'), null, `${f} written back valid`);
    await agent.ok('pool.undefine', { pool: p.name });
  }
  // And its file-volume XML: created in the default pool, written back valid.
  for (const f of ['vol-file.xml', 'vol-file-qcow2.xml', 'vol-file-naming.xml']) {
    const xml = readFileSync(join(SHARED, 'peer/libvirt/tests/storagevolxml2xmlin', f), 'utf8');
    const v = await agent.ok<{ name: string; capacity: number }>('vol.create', { pool: 'default', xml });
    t.equal(v.capacity, 1024 ** 4, `${f}: 1 TiB, sparse`);
    const out = (await agent.ok<{ xml: string }>('vol.dumpXml', { volume: { pool: 'default', vol: v.name } })).xml;
    t.equal(validateXml(dir, f, out, 'storagevol'), null, `${f} written back valid`);
    await agent.ok('vol.delete', { volume: { pool: 'default', vol: v.name } });
  }
  await agent.close();
});
