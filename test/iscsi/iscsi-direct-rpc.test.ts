// iscsi-direct pools for real: a JSON-RPC session with `storage-agent serve` against a private
// tgtd on 127.0.0.1 (test/iscsi/tgtd.ts) with CHAP and an initiator ACL. libvirt's own
// pool-iscsi-direct-auth.xml is defined (pointed at this target), started, its LUNs listed with
// their exact sizes, looked up by name, key and path, one LUN wiped (checked on tgtd's backing
// file, the other LUN untouched), stopped and undefined; the XML the agent writes is checked
// with virt-xml-validate. Wrong and missing secrets and the operations libvirt does not offer
// answer the spec's codes.
import t from 'tap';
import { chmodSync, mkdirSync, openSync, readFileSync, readSync, closeSync, writeFileSync, writeSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { RpcSession } from '../helpers/rpc-session.js';
import { SHARED, tempDir } from '../helpers/paths.js';
import { HAVE_VALIDATOR, validateXml } from '../helpers/xml-validate.js';
import { startTgtd, tgtdUnavailable } from './tgtd.js';

const why = tgtdUnavailable() ?? (existsSync('/usr/bin/iscsi-ls') ? null : 'libiscsi-bin is not installed');
const MiB = 1024 * 1024;
const INITIATOR = 'iqn.2026-12.test.storage-agent:initiator';
const SECRET_UUID = '10ed4ad4-c7b0-4696-b574-b40e04fea84b';
const PASSWORD = 'tgtd-chap-0123';

/** libvirt's test document, pointed at this host's target. */
function libvirtDoc(file: string, port: number, iqn: string): string {
  const text = readFileSync(join(SHARED, 'peer/libvirt/tests/storagepoolxml2xmlin', file), 'utf8');
  return text
    .replace('<host name="iscsi.example.com"/>', `<host name="127.0.0.1" port="${port}"/>`)
    .replace('iqn.2013-06.com.example:iscsi-pool', iqn)
    .replace('iqn.2013-06.com.example:iscsi-initiator', INITIATOR)
    .replace("username='user'", "username='agent'");
}

function fill(file: string, offset: number, byte: number, length: number) {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(length, byte), 0, length, offset);
  closeSync(fd);
}

function nonZeroBytes(file: string): number {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(MiB);
  let n = 0;
  for (let off = 0; ; ) {
    const got = readSync(fd, buf, 0, buf.length, off);
    if (got === 0) break;
    for (let i = 0; i < got; i++) if (buf[i] !== 0) n++;
    off += got;
  }
  closeSync(fd);
  return n;
}

t.test('iscsi-direct over JSON-RPC against tgtd', { skip: why ?? false, timeout: 300_000 }, async (t) => {
  const tgt = await startTgtd({ lunsMiB: [8, 4], chap: { user: 'agent', password: PASSWORD }, initiator: INITIATOR });
  t.teardown(() => tgt.stop());
  const work = tempDir(t, 'sa-idirect-');
  const home = join(work, 'home');
  mkdirSync(join(home, 'secrets'), { recursive: true });
  const secret = join(home, 'secrets', SECRET_UUID);
  writeFileSync(secret, `${PASSWORD}\n`, { mode: 0o600 });
  chmodSync(secret, 0o600);
  const rpc = RpcSession.start(t, home);

  // Discovery: the portal's targets, as libvirt's <sources>.
  const found = await rpc.ok<{ sources: { devices: { path: string }[]; hosts: { name: string; port: number }[] }[]; xml: string }>('pool.findSources', { type: 'iscsi-direct', host: '127.0.0.1', port: tgt.port, initiator: INITIATOR });
  t.same(found.sources.map((s) => s.devices[0]?.path), [tgt.iqn], 'findSources lists the target');
  t.same(found.sources[0]?.hosts, [{ name: '127.0.0.1', port: tgt.port }]);
  t.match(found.xml, new RegExp(`<device path='${tgt.iqn.replace(/\./g, '\\.')}'/>`));

  const defined = await rpc.ok<{ name: string; state: string }>('pool.define', { xml: libvirtDoc('pool-iscsi-direct-auth.xml', tgt.port, tgt.iqn) });
  t.equal(defined.name, 'iscsi-direct-auth');
  t.equal(defined.state, 'inactive');
  const inactiveXml = (await rpc.ok<{ xml: string }>('pool.dumpXml', { pool: 'iscsi-direct-auth' })).xml;
  t.match(inactiveXml, new RegExp(`<secret uuid='${SECRET_UUID}'/>`), 'the secret reference is kept');
  t.notMatch(inactiveXml, PASSWORD, 'the password is not in the XML');

  await rpc.ok('pool.start', { pool: 'iscsi-direct-auth' });
  const vols = (await rpc.ok<{ volumes: { name: string; key: string; path: string; type: string; capacity: number }[] }>('vol.list', { pool: 'iscsi-direct-auth' })).volumes;
  t.same(vols.map((v) => [v.name, v.type, v.capacity]), [['unit:0:0:1', 'network', 8 * MiB], ['unit:0:0:2', 'network', 4 * MiB]], 'the two disk LUNs with their exact sizes (the controller LUN 0 is no volume)');
  t.same(vols.map((v) => v.path), [1, 2].map((n) => `iscsi://127.0.0.1:${tgt.port}/${tgt.iqn}/${n}`));
  t.equal(vols[0]?.key, `ip-127.0.0.1:${tgt.port}-iscsi-${tgt.iqn}-lun-1`, "libvirt's key");
  const pool = await rpc.ok<{ capacity: number; allocation: number; available: number; state: string }>('pool.get', { name: 'iscsi-direct-auth' });
  t.same([pool.state, pool.capacity, pool.allocation, pool.available], ['running', 12 * MiB, 12 * MiB, 0]);

  const byName = await rpc.ok<{ capacity: number }>('vol.get', { pool: 'iscsi-direct-auth', vol: 'unit:0:0:2' });
  t.equal(byName.capacity, 4 * MiB, 'vol.get by name');
  t.equal((await rpc.ok<{ name: string }>('vol.get', { key: vols[0]?.key })).name, 'unit:0:0:1', 'by key');
  t.equal((await rpc.ok<{ name: string }>('vol.get', { path: vols[1]?.path })).name, 'unit:0:0:2', 'by path');
  t.equal((await rpc.fails('vol.get', { pool: 'iscsi-direct-auth', vol: 'unit:0:0:0' })).code, 'NO_VOLUME', 'the controller LUN is no volume');
  t.equal((await rpc.fails('vol.get', { pool: 'iscsi-direct-auth', vol: 'disk1' })).code, 'NO_VOLUME');

  for (const [i, v] of vols.entries()) {
    const xml = (await rpc.ok<{ xml: string }>('vol.dumpXml', { volume: { pool: 'iscsi-direct-auth', vol: v.name } })).xml;
    t.match(xml, /^<volume type='network'>/);
    if (HAVE_VALIDATOR) t.equal(validateXml(work, `vol${i}.xml`, xml, 'storagevol'), null, `${v.name} XML validates`);
  }
  const liveXml = (await rpc.ok<{ xml: string }>('pool.dumpXml', { pool: 'iscsi-direct-auth' })).xml;
  t.match(liveXml, `<capacity unit='bytes'>${12 * MiB}</capacity>`);
  if (HAVE_VALIDATOR) {
    t.equal(validateXml(work, 'pool-inactive.xml', inactiveXml, 'storagepool'), null, 'inactive pool XML validates');
    t.equal(validateXml(work, 'pool-live.xml', liveXml, 'storagepool'), null, 'running pool XML validates');
  }

  // Wipe LUN 2 only: data written on the target's side, then zeros.
  fill(tgt.lunFile(1), 0, 0xa5, 4096);
  fill(tgt.lunFile(2), 0, 0x5a, 64 * 1024);
  fill(tgt.lunFile(2), 4 * MiB - 4096, 0x5a, 4096);
  t.equal(nonZeroBytes(tgt.lunFile(2)), 68 * 1024, 'LUN 2 holds data before the wipe');
  const plan = await rpc.ok<{ plan: { argv: string[] }[] }>('vol.wipe', { volume: { pool: 'iscsi-direct-auth', vol: 'unit:0:0:2' }, dryRun: true });
  t.equal(plan.plan[0]?.argv[0], 'qemu-img', 'the wipe plan');
  t.notOk(JSON.stringify(plan).includes(PASSWORD), 'the plan does not show the password');
  t.equal(nonZeroBytes(tgt.lunFile(2)), 68 * 1024, 'a dry run changes nothing');
  const before = rpc.notifications.length;
  await rpc.ok('vol.wipe', { volume: { pool: 'iscsi-direct-auth', vol: 'unit:0:0:2' } });
  const progress = rpc.notifications.slice(before).filter((n) => n.method === 'progress');
  t.ok(progress.length > 0, `the wipe reports progress (${progress.length} notifications)`);
  t.equal(nonZeroBytes(tgt.lunFile(2)), 0, 'LUN 2 reads zero on the target after the wipe');
  t.equal(nonZeroBytes(tgt.lunFile(1)), 4096, 'LUN 1 is untouched');
  t.equal((await rpc.fails('vol.wipe', { volume: { pool: 'iscsi-direct-auth', vol: 'unit:0:0:2' }, algorithm: 'random' })).code, 'UNSUPPORTED', 'only zero wipes, as in libvirt');
  t.equal((await rpc.fails('vol.create', { pool: 'iscsi-direct-auth', name: 'x', capacity: MiB })).code, 'UNSUPPORTED', 'LUNs are not made by the pool');
  t.equal((await rpc.fails('vol.delete', { volume: { pool: 'iscsi-direct-auth', vol: 'unit:0:0:1' } })).code, 'UNSUPPORTED');

  // A wrong secret: the target refuses, the password stays out of the error.
  writeFileSync(secret, 'not-the-secret1\n', { mode: 0o600 });
  const denied = await rpc.fails('vol.list', { pool: 'iscsi-direct-auth' });
  t.equal(denied.code, 'PERMISSION_DENIED', 'wrong CHAP secret');
  t.equal(denied.tool, 'libiscsi');
  t.ok(denied.argv?.some((a) => a.includes('agent%***@')), 'argv shows the user, not the password');
  t.notOk(JSON.stringify(denied).includes('not-the-secret1'), 'no password in the error');
  chmodSync(secret, 0o644);
  t.equal((await rpc.fails('vol.list', { pool: 'iscsi-direct-auth' })).code, 'PERMISSION_DENIED', 'a secret readable by others is refused');
  writeFileSync(secret, `${PASSWORD}\n`, { mode: 0o600 });
  chmodSync(secret, 0o600);
  t.equal((await rpc.ok<{ volumes: unknown[] }>('vol.list', { pool: 'iscsi-direct-auth' })).volumes.length, 2, 'the right secret again');

  await rpc.ok('pool.stop', { pool: 'iscsi-direct-auth' });
  t.equal((await rpc.fails('vol.list', { pool: 'iscsi-direct-auth' })).code, 'POOL_INACTIVE');
  await rpc.ok('pool.undefine', { pool: 'iscsi-direct-auth' });
  t.equal((await rpc.fails('pool.get', { name: 'iscsi-direct-auth' })).code, 'NO_POOL', 'undefined');

  // libvirt's document without <auth>: this target wants CHAP, so starting is refused.
  await rpc.ok('pool.define', { xml: libvirtDoc('pool-iscsi-direct.xml', tgt.port, tgt.iqn) });
  t.equal((await rpc.fails('pool.start', { pool: 'iscsi-direct' })).code, 'PERMISSION_DENIED', 'no CHAP where the target needs it');
  // A secret named but not in the store.
  await rpc.ok('pool.define', { xml: libvirtDoc('pool-iscsi-direct-auth.xml', tgt.port, tgt.iqn).replace(SECRET_UUID, '10ed4ad4-c7b0-4696-b574-b40e04fea84c').replace('iscsi-direct-auth', 'nosecret').replace('034d66fc-f507-437a-b552-c479ffd63820', '034d66fc-f507-437a-b552-c479ffd63821') });
  const missing = await rpc.fails('pool.start', { pool: 'nosecret' });
  t.equal(missing.code, 'INVALID_ARGUMENT', 'a secret not in the store');
  t.match(missing.message, /no secret with uuid 10ed4ad4-c7b0-4696-b574-b40e04fea84c/);
  // A portal nobody listens on, and a target the portal does not offer.
  await rpc.ok('pool.define', { name: 'wrongiqn', type: 'iscsi-direct', source: { hosts: [{ name: '127.0.0.1', port: tgt.port }], devices: [{ path: `${tgt.iqn}-nope` }], initiator: INITIATOR } });
  t.equal((await rpc.fails('pool.start', { pool: 'wrongiqn' })).code, 'INVALID_ARGUMENT', 'a target the portal does not offer');
  t.equal((await rpc.fails('pool.findSources', { type: 'iscsi-direct', host: '127.0.0.1', port: 1 })).code, 'TOOL_FAILED', 'no portal listening');
  t.equal((await rpc.fails('pool.define', { name: 'pw', type: 'iscsi-direct', source: { hosts: [{ name: 'h' }], devices: [{ path: 'iqn.x:y' }], initiator: INITIATOR, auth: { type: 'chap', username: 'u', secret: { usage: 'u' }, password: 'p' } } })).code, 'INVALID_ARGUMENT', 'a password is never taken in a definition');
  for (const p of ['iscsi-direct', 'nosecret', 'wrongiqn']) await rpc.ok('pool.undefine', { pool: p });
  t.equal(await rpc.close(), 0, 'serve exits 0 at EOF');
  t.same(rpc.junk, [], 'nothing but JSON on stdout');
});
