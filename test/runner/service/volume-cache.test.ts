// The file-volume cache answers only what a vol.get run would answer now: an entry holds while
// every file read it was made from reads the same, whoever changed the file, however fast.
// Real qemu-img changes the files behind the service's back (as another agent process would).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { rmSync, statSync, utimesSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { dispatch } from '../../../runner/service/dispatch.js';
import { detachedCall, type Service } from '../../../runner/service/context.js';
import { realExecutor, type ToolExecutor } from '../../../runner/scriptlet/executor.js';
import { testService } from '../../helpers/runtime.js';
import { tempDir } from '../../helpers/paths.js';

const MiB = 1024 * 1024;

type Teardown = { teardown(fn: () => void | Promise<void>): void; notOk(v: unknown, m: string): void };

interface Info {
  format: string;
  'virtual-size': number;
}
const qemuInfo = (path: string): Info => JSON.parse(execFileSync('qemu-img', ['info', '--output=json', '-U', path], { encoding: 'utf8' })) as Info;

async function call(svc: Service, method: string, params: object): Promise<Record<string, unknown> & { code?: string }> {
  const r = await dispatch(svc, detachedCall(), method, params);
  return r.ok ? (r.value as Record<string, unknown>) : { code: r.error.code };
}

/** A service on a fresh dir pool, with a hook run after every file operation the runner makes. */
async function setup(t: Teardown) {
  const dir = join(tempDir(t), 'pool');
  let after: ((op: string, args: readonly unknown[]) => void) | null = null;
  const executor: ToolExecutor = {
    exec: realExecutor.exec,
    fs: async (root, op, args, opts) => {
      const r = await realExecutor.fs(root, op, args, opts);
      after?.(op, args);
      return r;
    }
  };
  const svc = await testService(t, { executor });
  // Sandbox runs, counted: a cache hit makes none.
  let runs = 0;
  const run = svc.rt.sandbox.run.bind(svc.rt.sandbox);
  svc.rt.sandbox.run = (...a: Parameters<typeof run>) => {
    runs++;
    return run(...a);
  };
  for (const [m, p] of [['pool.define', { name: 'p', type: 'dir', target: { path: dir } }], ['pool.build', { pool: 'p' }], ['pool.start', { pool: 'p' }]] as const) {
    const r = await call(svc, m, p);
    t.notOk(r.code, `${m}`);
  }
  return {
    svc, dir,
    runs: () => runs,
    setAfter: (f: typeof after) => {
      after = f;
    }
  };
}

const get = (svc: Service, vol: string) => call(svc, 'vol.get', { pool: 'p', vol });

t.test('an unchanged file is answered from the cache: no sandbox run', async (t) => {
  const { svc, dir, runs } = await setup(t);
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'a.qcow2'), String(8 * MiB)]);
  const first = await get(svc, 'a.qcow2');
  t.equal(first['capacity'], 8 * MiB);
  const before = runs();
  const again = await get(svc, 'a.qcow2');
  t.same(again, first, 'the same answer');
  t.equal(runs(), before, 'and no scriptlet ran for it');
});

t.test('a file changed right after vol.get read it: the next answer is the new file', async (t) => {
  // The bug of issue 18: the old cache took the file's stat signature after the scriptlet had
  // described it, so a change made in between was remembered as the old description.
  const { svc, dir, setAfter } = await setup(t);
  const path = join(dir, 'b.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path, String(9 * MiB)]);
  let changed = false;
  setAfter((op, args) => {
    if (changed || op !== 'stat' || args[0] !== 'b.qcow2') return;
    changed = true;
    execFileSync('qemu-img', ['resize', '-q', '-f', 'qcow2', path, String(19 * MiB)]);
  });
  const during = await get(svc, 'b.qcow2');
  setAfter(null);
  t.ok(changed, 'the file was resized while vol.get was describing it');
  t.equal(during['capacity'], 9 * MiB, 'that answer is the file as read');
  t.equal(qemuInfo(path)['virtual-size'], 19 * MiB, 'qemu-img: 19 MiB now');
  t.equal((await get(svc, 'b.qcow2'))['capacity'], 19 * MiB, 'the next vol.get says 19 MiB too');
});

t.test('same size, same timestamps: a header change is still seen', async (t) => {
  const { svc, dir } = await setup(t);
  const path = join(dir, 'c.qcow2');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path, String(8 * MiB)]);
  // What a coarse clock would make of it: the same whole-second mtime before and after (ctime
  // cannot be set back; the cache looks at neither).
  utimesSync(path, 1_000_000, 1_000_000);
  t.equal((await get(svc, 'c.qcow2'))['capacity'], 8 * MiB);
  const st = statSync(path);
  execFileSync('qemu-img', ['resize', '-q', '-f', 'qcow2', path, String(16 * MiB)]);
  utimesSync(path, 1_000_000, 1_000_000);
  t.equal(statSync(path).size, st.size, 'the resize kept the file size (precondition)');
  t.equal(statSync(path).mtimeMs, st.mtimeMs, 'and the mtime is the old one');
  t.equal((await get(svc, 'c.qcow2'))['capacity'], 16 * MiB, 'vol.get: 16 MiB, as qemu-img says');
  t.equal(qemuInfo(path)['virtual-size'], 16 * MiB);
});

t.test('replaced, re-created with another format, deleted, made by someone else', async (t) => {
  const { svc, dir } = await setup(t);
  const path = join(dir, 'd.img');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path, String(8 * MiB)]);
  t.match(await get(svc, 'd.img'), { format: 'qcow2', capacity: 8 * MiB });
  // Re-created as raw of another size.
  rmSync(path);
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', path, String(7 * MiB)]);
  t.match(await get(svc, 'd.img'), { format: 'raw', capacity: 7 * MiB }, 're-created as raw');
  // Replaced by a rename of another file of the same size (raw 7 MiB, then qcow2 again).
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', join(dir, 'tmp'), String(7 * MiB)]);
  writeFileSync(join(dir, 'tmp'), Buffer.from('not zeros'), { flag: 'r+' });
  renameSync(join(dir, 'tmp'), path);
  t.match(await get(svc, 'd.img'), { format: 'raw', capacity: 7 * MiB, allocation: statSync(path).blocks * 512 }, 'replaced: the new file\'s allocation');
  rmSync(path);
  t.equal((await get(svc, 'd.img')).code, 'NO_VOLUME', 'deleted: NO_VOLUME');
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path, String(5 * MiB)]);
  t.match(await get(svc, 'd.img'), { format: 'qcow2', capacity: 5 * MiB }, 'made again by someone else: found');
  const xml = (await call(svc, 'vol.dumpXml', { volume: { pool: 'p', vol: 'd.img' } }))['xml'] as string;
  t.match(xml, `<capacity unit='bytes'>${5 * MiB}</capacity>`, 'dumpXml: the same');
});

t.test('a pool redefined with another target: its volumes are the new target\'s', async (t) => {
  const { svc, dir } = await setup(t);
  const other = `${dir}2`;
  execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'e.img'), String(8 * MiB)]);
  execFileSync('mkdir', [other]);
  execFileSync('qemu-img', ['create', '-q', '-f', 'raw', join(other, 'e.img'), String(3 * MiB)]);
  t.match(await get(svc, 'e.img'), { format: 'qcow2', capacity: 8 * MiB });
  const uuid = (await call(svc, 'pool.get', { name: 'p' }))['uuid'];
  t.notOk((await call(svc, 'pool.define', { name: 'p', uuid, type: 'dir', target: { path: other } })).code, 'redefined');
  t.match(await get(svc, 'e.img'), { format: 'raw', capacity: 3 * MiB, path: join(other, 'e.img') }, 'the new target\'s file');
});
