// libvirt's wipe algorithms (issue 12): the multi-pass ones through scrub, as libvirt runs it
// (`scrub -f -p PATTERN PATH`), UNSUPPORTED with the reason where scrub is absent or the
// algorithm does not apply.
import t from 'tap';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dispatch } from '../../../runner/service/dispatch.js';
import { detachedCall } from '../../../runner/service/context.js';
import { testService } from '../../helpers/runtime.js';
import { tempDir } from '../../helpers/paths.js';

const HAVE = existsSync('/usr/bin/scrub') && existsSync('/usr/bin/qemu-img');

t.test('wipe algorithms', { skip: HAVE ? false : 'needs scrub and qemu-img' }, async (t) => {
  const dir = tempDir(t);
  const svc = await testService(t, { home: join(dir, 'home') });
  const call = (m: string, p: object) => dispatch(svc, detachedCall(), m, p);
  const target = join(dir, 'pool');
  t.ok((await call('pool.define', { name: 'w', type: 'dir', target: { path: target } })).ok);
  t.ok((await call('pool.build', { pool: 'w' })).ok);
  t.ok((await call('pool.start', { pool: 'w' })).ok);
  const data = Buffer.alloc(256 * 1024, 0x5a);
  for (const alg of ['nnsa', 'dod', 'schneier']) {
    t.ok((await call('vol.create', { pool: 'w', name: `${alg}.raw`, capacity: data.length })).ok);
    writeFileSync(join(target, `${alg}.raw`), data);
    const r = await call('vol.wipe', { volume: { pool: 'w', vol: `${alg}.raw` }, algorithm: alg });
    t.ok(r.ok, r.ok ? `${alg} through scrub` : `${alg}: ${r.error.code} ${r.error.message}`);
    const after = readFileSync(join(target, `${alg}.raw`));
    t.equal(after.length, data.length, 'same size');
    t.notOk(after.includes(Buffer.alloc(4096, 0x5a)), 'none of the old data is left');
  }
  const code = async (p: object) => { const r = await call('vol.wipe', p); return r.ok ? 'ok' : r.error.code; };
  t.equal(await code({ volume: { pool: 'w', vol: 'nnsa.raw' }, algorithm: 'trim' }), 'UNSUPPORTED', 'trim: not for file volumes');
  t.ok((await call('vol.create', { pool: 'w', name: 'q.qcow2', capacity: 1024 * 1024, format: 'qcow2' })).ok);
  t.equal(await code({ volume: { pool: 'w', vol: 'q.qcow2' }, algorithm: 'gutmann' }), 'UNSUPPORTED', 'an image format: zero only');
  t.equal(await code({ volume: { pool: 'w', vol: 'nnsa.raw' }, algorithm: 'shred' }), 'INVALID_ARGUMENT', 'not one of libvirt\'s algorithms');

  // Without scrub on the tool path (qemu-img only): UNSUPPORTED, saying which package.
  const tools = join(dir, 'tools');
  mkdirSync(tools);
  symlinkSync('/usr/bin/qemu-img', join(tools, 'qemu-img'));
  const bare = await testService(t, { home: join(dir, 'home2'), toolPath: tools });
  const c2 = (m: string, p: object) => dispatch(bare, detachedCall(), m, p);
  t.ok((await c2('pool.define', { name: 'w2', type: 'dir', target: { path: target } })).ok, 'the same directory in a second home');
  await c2('pool.start', { pool: 'w2' });
  const r = await c2('vol.wipe', { volume: { pool: 'w2', vol: 'dod.raw' }, algorithm: 'bsi' });
  t.equal(r.ok ? 'ok' : r.error.code, 'UNSUPPORTED', 'scrub absent: UNSUPPORTED');
  if (!r.ok) t.match(r.error.message, /Debian package scrub/, 'naming the package');
  await c2('pool.stop', { pool: 'w2' });
  t.ok((await call('pool.stop', { pool: 'w' })).ok);
});
