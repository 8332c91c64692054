// LUKS volumes with the caller's passphrase (issue 12): libvirt's vol-luks.xml and
// vol-qcow2-luks.xml created for real, opened by qemu-img with the secret, written back valid;
// the passphrase never in argv (the plan shows the exact commands) nor left on disk.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dispatch } from '../../../runner/service/dispatch.js';
import { detachedCall } from '../../../runner/service/context.js';
import type { Volume } from '../../../runner/contracts/generated.js';
import { testService } from '../../helpers/runtime.js';
import { SHARED, tempDir } from '../../helpers/paths.js';
import { HAVE_VALIDATOR, validateXml } from '../../helpers/xml-validate.js';

const CORPUS = join(SHARED, 'peer', 'libvirt', 'tests', 'storagevolxml2xmlin');
const PASS = 'correct horse battery staple';

/** qemu-img info of an encrypted image, the secret given as a file, as a person would. */
function infoWithSecret(dir: string, path: string, driver: 'luks' | 'qcow2'): Record<string, unknown> {
  const key = join(dir, 'key');
  writeFileSync(key, PASS, { mode: 0o600 });
  const opts = driver === 'luks' ? `driver=luks,key-secret=s,file.filename=${path}` : `driver=qcow2,encrypt.key-secret=s,file.filename=${path}`;
  return JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '--object', `secret,id=s,file=${key}`, '--image-opts', opts], { encoding: 'utf8' })) as Record<string, unknown>;
}

t.test('luks volumes', { skip: existsSync('/usr/bin/qemu-img') && existsSync(CORPUS) ? false : 'needs qemu-img and the libvirt corpus' }, async (t) => {
  const dir = tempDir(t);
  const home = join(dir, 'home');
  const svc = await testService(t, { home });
  const call = (m: string, p: object) => dispatch(svc, detachedCall(), m, p);
  t.ok((await call('pool.define', { name: 'l', type: 'dir', target: { path: join(dir, 'pool') } })).ok);
  t.ok((await call('pool.build', { pool: 'l' })).ok);
  t.ok((await call('pool.start', { pool: 'l' })).ok);

  const raw = readFileSync(join(CORPUS, 'vol-luks.xml'), 'utf8').replace("unit=\"G\">5<", "unit=\"M\">32<");
  t.equal((await call('vol.create', { pool: 'l', xml: raw })).ok ? 'ok' : 'refused', 'refused', 'no secret: refused, never made unencrypted');
  const plan = await call('vol.create', { pool: 'l', xml: raw, secret: { passphrase: PASS }, dryRun: true });
  t.ok(plan.ok, 'dry run');
  const planText = JSON.stringify(plan.ok ? plan.value : null);
  t.notOk(planText.includes(PASS), 'the passphrase is not in the plan\'s argv');
  t.match(planText, /"--object","secret,id=sec0,file=[^"]+\/luks-keys\/[^"]+\/key"/, 'qemu-img reads it from a private file');
  t.match(planText, /"-f","luks"/, 'raw + <encryption format=luks> is qemu-img -f luks, as libvirt');

  const made = await call('vol.create', { pool: 'l', xml: raw, secret: { passphrase: PASS } });
  t.ok(made.ok, made.ok ? 'created' : `${made.error.code} ${made.error.message}`);
  const vol = made.ok ? (made.value as Volume) : null;
  t.same(readdirSync(join(home, 'luks-keys')), [], 'the key file is gone after the request');
  if (vol) {
    t.same(vol.encryption, { format: 'luks' }, 'reported encrypted');
    t.equal(vol.capacity, 32 * 1024 * 1024, 'capacity is what the guest sees (after the LUKS header)');
    const info = infoWithSecret(dir, vol.path, 'luks');
    t.equal(info['format'], 'luks', 'qemu-img opens it with the secret');
    t.equal(info['virtual-size'], 32 * 1024 * 1024);
    // Reading data needs the key (info alone opens without I/O): the right one reads, a wrong one is refused.
    const dd = (secret: string) => () => execFileSync('qemu-img', ['dd', '--object', `secret,id=s,file=${secret}`, '--image-opts', `if=driver=luks,key-secret=s,file.filename=${vol.path}`, `of=${join(dir, 'out.raw')}`, 'bs=512', 'count=1'], { stdio: 'pipe' });
    writeFileSync(join(dir, 'wrong'), 'wrong', { mode: 0o600 });
    t.doesNotThrow(dd(join(dir, 'key')), 'the passphrase reads the data');
    t.throws(dd(join(dir, 'wrong')), 'a wrong passphrase does not');
    const x = await call('vol.dumpXml', { volume: { pool: 'l', vol: vol.name } });
    if (x.ok && HAVE_VALIDATOR) t.equal(validateXml(dir, 'l.xml', (x.value as { xml: string }).xml, 'storagevol'), null, 'written back valid');
    if (x.ok) t.match((x.value as { xml: string }).xml, /<encryption format='luks'\/>/);
  }

  const q = readFileSync(join(CORPUS, 'vol-qcow2-luks.xml'), 'utf8').replace("unit=\"G\">5<", "unit=\"M\">32<");
  const key = join(dir, 'keyfile');
  writeFileSync(key, PASS, { mode: 0o600 });
  const mq = await call('vol.create', { pool: 'l', xml: q, secret: { keyFile: key } });
  t.ok(mq.ok, mq.ok ? 'qcow2 with luks from a key file' : `${mq.error.code} ${mq.error.message}`);
  if (mq.ok) {
    const v = mq.value as Volume;
    t.same([v.format, v.encryption], ['qcow2', { format: 'luks' }]);
    const info = infoWithSecret(dir, v.path, 'qcow2') as { 'format-specific'?: { data?: { encrypt?: { format?: string } } } };
    t.equal(info['format-specific']?.data?.encrypt?.format, 'luks', 'qemu-img info: qcow2 encrypt.format luks');
  }
  t.same(readdirSync(join(home, 'luks-keys')), [], 'no key file left');
  t.ok((await call('pool.stop', { pool: 'l' })).ok);
});
