// A pool file swapped for a symlink between its lookup and the qemu-img command that takes its
// path is never followed (runner/exec/pin-files.ts: qemu-img gets the file by descriptor). A
// separate process swaps a volume of a dir pool, atomically and without pause, between the real
// file and a symlink to a file outside the pool, while the agent's service resizes the volume and
// copies it, again and again with the real qemu-img. Whatever each call answers, the file outside
// the pool is never changed, and no copy ever holds its content.
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, linkSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Volume } from '../../../runner/contracts/generated.js';
import { detachedCall } from '../../../runner/service/context.js';
import { dispatch } from '../../../runner/service/dispatch.js';
import { tempDir } from '../../helpers/paths.js';
import { testService } from '../../helpers/runtime.js';

const qemuImg = ['/usr/bin/qemu-img', '/bin/qemu-img'].some((p) => existsSync(p));
const ROUNDS = process.env['SOAK'] === '1' ? 1000 : 80;
const MiB = 1024 * 1024;
const SECRET = 'precious outside the pool\n';

// Swaps VOL between the real file (kept alive by a hard link, KEEP) and a symlink to VICTIM, each
// step one atomic rename over VOL, so VOL always exists and is one or the other.
const SWAPPER = `
const fs = require('fs');
const [vol, keep, victim, tmpLink, tmpReal] = process.argv.slice(1);
for (;;) {
  try {
    fs.rmSync(tmpLink, { force: true });
    fs.symlinkSync(victim, tmpLink);
    fs.renameSync(tmpLink, vol);
    fs.rmSync(tmpReal, { force: true });
    fs.linkSync(keep, tmpReal);
    fs.renameSync(tmpReal, vol);
  } catch {}
}`;

t.test('a volume swapped for a symlink while qemu-img runs on it', { skip: qemuImg ? false : 'qemu-img is not installed' }, async (t) => {
  const dir = tempDir(t, 'sa-swap-');
  const pool = join(dir, 'pool');
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, SECRET);
  const svc = await testService(t);
  const call = (m: string, p: object) => dispatch(svc, detachedCall(), m, p);
  const must = async (m: string, p: object) => {
    const r = await call(m, p);
    if (!r.ok) throw new Error(`${m}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  await must('pool.define', { name: 'swap', type: 'dir', target: { path: pool } });
  await must('pool.build', { pool: 'swap' });
  await must('pool.start', { pool: 'swap' });
  await must('vol.create', { pool: 'swap', name: 'v.raw', capacity: MiB });
  const vol = join(pool, 'v.raw');
  const keep = join(pool, '.swap-keep');
  linkSync(vol, keep);

  const swapper = spawn(process.execPath, ['-e', SWAPPER, vol, keep, victim, join(pool, '.swap-tmp-link'), join(pool, '.swap-tmp-real')], { stdio: 'ignore' });
  t.teardown(() => {
    swapper.kill('SIGKILL');
  });
  const codes = new Map<string, number>();
  const firstMessage = new Map<string, string>();
  const tally = (r: { ok: boolean; error?: { code: string; message: string } }) => {
    const c = r.ok ? 'ok' : (r.error?.code ?? '?');
    codes.set(c, (codes.get(c) ?? 0) + 1);
    if (!r.ok && !firstMessage.has(c)) firstMessage.set(c, r.error?.message.slice(0, 200) ?? '');
  };
  const leaks: string[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    tally(await call('vol.resize', { volume: { pool: 'swap', vol: 'v.raw' }, capacity: MiB + (i + 1) * 65536 }));
    const name = `copy-${i}.raw`;
    const c = await call('vol.copy', { pool: 'swap', name, from: { pool: 'swap', vol: 'v.raw' }, format: 'raw' });
    tally(c);
    if (c.ok) {
      const copied = readFileSync(join(pool, name));
      if (copied.includes(Buffer.from('precious'))) leaks.push(name);
      await must('vol.delete', { volume: { pool: 'swap', vol: name } });
    }
  }
  swapper.kill('SIGKILL');
  await new Promise((r) => swapper.once('exit', r));

  t.comment(`answers over ${ROUNDS} resizes and ${ROUNDS} copies: ${JSON.stringify(Object.fromEntries(codes))}; first messages: ${JSON.stringify(Object.fromEntries(firstMessage))}`);
  t.equal(readFileSync(victim, 'utf8'), SECRET, 'the file outside the pool is unchanged');
  t.equal(statSync(victim).size, SECRET.length, 'and its size too');
  t.same(leaks, [], 'no copy holds the outside file');
  t.ok((codes.get('ok') ?? 0) > 0, 'some calls ran qemu-img on the real file');
  t.ok(statSync(keep).size > MiB, 'the resizes reached the real volume');
});
