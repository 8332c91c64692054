// The disk and fs pools for real, through the agent's service (dispatch, as JSON-RPC requests
// are): a temporary home, a loop device over a sparse image, the parted series this machine's
// parted selects, util-linux for the file system, dd for wiping. Teardown unmounts and detaches
// what this test made, by path.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import type { Pool, Volume } from '../../../runner/contracts/generated.js';
import type { Service } from '../../../runner/service/context.js';
import { detachedCall } from '../../../runner/service/context.js';
import { dispatch } from '../../../runner/service/dispatch.js';
import { testService } from '../../helpers/runtime.js';
import { isMounted, kernelPartitions, loopArea, MiB, needsRoot } from '../../helpers/loop.js';

type Reply = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string; scriptlet?: string; tool?: string; argv?: string[] } };

function agent(svc: Service) {
  const call = (method: string, params: object) => dispatch(svc, detachedCall(), method, params) as Promise<Reply>;
  return {
    call,
    async ok<T = Record<string, unknown>>(method: string, params: object): Promise<T> {
      const r = await call(method, params);
      if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
      return r.value as T;
    },
    async code(method: string, params: object): Promise<string> {
      const r = await call(method, params);
      return r.ok ? 'ok' : r.error.code;
    }
  };
}

t.test('disk pool (gpt, then dos) and an fs pool on one of its partitions', { skip: needsRoot }, async (t) => {
  const area = await loopArea(t, 'sa-disk-svc-');
  const loop = await area.attach('512M');
  t.match(loop, /^\/dev\/loop\d+$/);
  const mnt = area.mountPoint('mnt');
  const a = agent(await testService(t));
  const part = (n: number) => `${loop}p${n}`;
  const base = (n: number) => part(n).slice('/dev/'.length);
  const vol = (v: string) => ({ pool: 'd', vol: v });

  await a.ok('pool.define', { name: 'd', type: 'disk', source: { devices: [{ path: loop }], format: 'gpt' }, target: { path: '/dev' } });
  t.equal(await a.code('pool.start', { pool: 'd' }), 'INVALID_ARGUMENT', 'start before build: no label');
  const plan = await a.ok<{ plan: { argv: string[] }[] }>('pool.build', { pool: 'd', dryRun: true });
  t.same(plan.plan.map((s) => s.argv), [['parted', '-s', loop, 'mklabel', 'gpt']], 'dry run plans one mklabel');
  t.equal(await a.code('pool.start', { pool: 'd' }), 'INVALID_ARGUMENT', 'the dry run changed nothing');
  await a.ok('pool.build', { pool: 'd' });
  t.equal(await a.code('pool.build', { pool: 'd' }), 'ALREADY_BUILT', 'build twice');
  const found = await a.ok<{ sources: unknown[]; xml: string }>('pool.findSources', { type: 'disk', device: loop });
  t.same(found.sources, [{ devices: [{ path: loop }], format: 'gpt' }], 'findSources sees the label');
  t.match(found.xml, /<format type='gpt'\/>/);
  const started = await a.ok<Pool>('pool.start', { pool: 'd' });
  t.equal(started.state, 'running');
  t.equal(started.capacity, 512 * MiB);

  const dry = await a.ok<{ plan: { argv: string[] }[] }>('vol.create', { pool: 'd', name: 'x', capacity: 8 * MiB, dryRun: true });
  t.equal(dry.plan[0]?.argv[0], 'parted', 'dry run plans mkpart');
  t.same(kernelPartitions(loop), [], 'and made no partition');

  const made: Volume[] = [];
  for (const [i, [cap, format]] of ([[64 * MiB, 'linux'], [32 * MiB, 'linux-lvm'], [48 * MiB, 'none']] as const).entries()) {
    const v = await a.ok<Volume>('vol.create', { pool: 'd', name: `p${i + 1}`, capacity: cap, format });
    made.push(v);
    t.equal(v.path, part(i + 1), `partition ${i + 1} named like its node`);
    t.equal(v.pool, 'd');
    t.equal(v.capacity, cap);
    t.equal((v.extra?.['extentStart'] as number) % MiB, 0, 'aligned to 1 MiB');
    t.ok(existsSync(part(i + 1)), `${part(i + 1)} exists`);
  }
  // The format is read back from the flags and the file system found (as libvirt does): a
  // 'linux' partition is 'none' until it holds one (see the ext4 below).
  t.same(made.map((v) => v.format), ['none', 'linux-lvm', 'none'], 'formats as read back');
  t.equal(made[1]?.extra?.['flags'], 'lvm', 'lvm flag set');
  t.same(kernelPartitions(loop), [1, 2, 3], 'the kernel knows the three partitions');
  t.equal(await a.code('vol.create', { pool: 'd', name: 'x', capacity: MiB, format: 'qcow2' }), 'INVALID_ARGUMENT', 'no qcow2 partitions');

  const list = await a.ok<{ volumes: Volume[] }>('vol.list', { pool: 'd' });
  t.same(list.volumes.map((v) => v.name), [1, 2, 3].map(base));
  const got = await a.ok<Volume>('vol.get', vol(base(2)));
  t.equal(got.key, part(2));
  const byPath = await a.ok<Volume>('vol.get', { path: part(3) });
  t.equal(byPath.name, base(3), 'found by path');
  t.equal(await a.code('vol.get', vol('nope')), 'NO_VOLUME');

  const refreshed = await a.ok<Pool>('pool.refresh', { pool: 'd' });
  t.equal(refreshed.capacity, 512 * MiB);
  t.equal(refreshed.allocation, 144 * MiB);
  t.ok(refreshed.available > 300 * MiB && refreshed.available < 368 * MiB, `available ${refreshed.available}`);
  const extents = refreshed.source?.devices?.[0]?.freeExtents ?? [];
  t.ok(extents.length >= 2, 'free extents: before the first partition and after the last');
  t.ok(extents.every((e) => e.end > e.start), 'extents are ranges');

  const grown = await a.ok<Volume>('vol.resize', { volume: vol(base(3)), capacity: 96 * MiB });
  t.equal(grown.capacity, 96 * MiB, 'grown');
  t.equal(await a.code('vol.resize', { volume: vol(base(3)), capacity: 16 * MiB }), 'INVALID_ARGUMENT', 'shrink needs shrink: true');
  const shrunk = await a.ok<Volume>('vol.resize', { volume: vol(base(3)), capacity: 16 * MiB, shrink: true });
  t.equal(shrunk.capacity, 16 * MiB, 'shrunk');
  t.equal(await a.code('vol.resize', { volume: vol(base(1)), capacity: 80 * MiB }), 'NO_SPACE', 'p1 cannot grow into p2');
  t.equal((await a.ok<Volume>('vol.get', vol(base(1)))).capacity, 64 * MiB, 'p1 unchanged');

  // Wipe: data written to p3 is zeros afterwards.
  await execa('dd', ['if=/dev/urandom', `of=${part(3)}`, 'bs=1M', 'count=1', 'oflag=direct', 'status=none']);
  await a.ok('vol.wipe', { volume: vol(base(3)), algorithm: 'zero' });
  const head = await execa('dd', [`if=${part(3)}`, 'bs=1M', 'count=1', 'iflag=direct', 'status=none'], { encoding: 'buffer' });
  t.ok(Buffer.from(head.stdout).every((b) => b === 0), 'p3 reads back as zeros');

  await a.ok('vol.delete', { volume: vol(base(2)) });
  t.notOk(existsSync(part(2)), `${part(2)} is gone`);
  t.same((await a.ok<{ volumes: Volume[] }>('vol.list', { pool: 'd' })).volumes.map((v) => v.path), [part(1), part(3)]);
  t.equal(await a.code('vol.delete', { volume: vol(base(2)) }), 'NO_VOLUME', 'deleting again');

  // An fs pool on partition 1.
  await a.ok('pool.define', { name: 'f', type: 'fs', source: { devices: [{ path: part(1) }], format: 'ext4' }, target: { path: mnt } });
  await a.ok('pool.build', { pool: 'f' });
  t.ok(existsSync(mnt), 'target made');
  t.equal(await a.code('pool.build', { pool: 'f' }), 'ALREADY_BUILT');
  t.equal(String((await execa('blkid', ['-p', '-o', 'value', '-s', 'TYPE', part(1)])).stdout).trim(), 'ext4');
  const p1 = await a.ok<Volume>('vol.get', vol(base(1)));
  t.same([p1.format, p1.extra?.['fsType']], ['linux', 'ext4'], 'the disk pool now sees a linux partition holding ext4');
  const fsFound = await a.ok<{ sources: unknown[] }>('pool.findSources', { type: 'fs', device: part(1) });
  t.same(fsFound.sources, [{ devices: [{ path: part(1) }], format: 'ext4' }]);
  const fsPool = await a.ok<Pool>('pool.start', { pool: 'f' });
  t.ok(isMounted(mnt), 'mounted');
  t.ok(fsPool.capacity > 50 * MiB && fsPool.capacity <= 64 * MiB, `fs capacity ${fsPool.capacity}`);
  const fm = await execa('findmnt', ['-n', '-o', 'SOURCE', '--mountpoint', mnt], { reject: false });
  t.equal(String(fm.stdout).trim(), part(1), 'findmnt shows the partition');
  const raw = await a.ok<Volume>('vol.create', { pool: 'f', name: 'a.raw', capacity: 4 * MiB });
  t.equal(raw.path, `${mnt}/a.raw`);
  t.ok(existsSync(`${mnt}/a.raw`), 'the image is on the mounted file system');
  await a.ok('vol.delete', { volume: { pool: 'f', vol: 'a.raw' } });
  await a.ok('pool.stop', { pool: 'f' });
  t.notOk(isMounted(mnt), 'unmounted');
  await a.ok('pool.delete', { pool: 'f' });
  t.notOk(existsSync(mnt), 'target removed');
  const blk = await execa('blkid', ['-p', '-o', 'export', part(1)], { reject: false });
  t.notMatch(String(blk.stdout), /^TYPE=/m, 'no file system signature left');
  await a.ok('pool.undefine', { pool: 'f' });

  // dos: primary, extended, logical.
  await a.ok('pool.stop', { pool: 'd' });
  await a.ok('pool.undefine', { pool: 'd' });
  await a.ok('pool.define', { name: 'd', type: 'disk', source: { devices: [{ path: loop }], format: 'dos' }, target: { path: '/dev' } });
  t.equal(await a.code('pool.start', { pool: 'd' }), 'INVALID_ARGUMENT', 'a gpt label is not the dos the pool says');
  t.equal(await a.code('pool.build', { pool: 'd' }), 'ALREADY_BUILT', 'the gpt label is not overwritten silently');
  await a.ok('pool.build', { pool: 'd', overwrite: true });
  await a.ok('pool.start', { pool: 'd' });
  const d1 = await a.ok<Volume>('vol.create', { pool: 'd', name: 'a', capacity: 16 * MiB });
  const d2 = await a.ok<Volume>('vol.create', { pool: 'd', name: 'b', capacity: 128 * MiB, format: 'extended' });
  const d5 = await a.ok<Volume>('vol.create', { pool: 'd', name: 'c', capacity: 16 * MiB });
  const d6 = await a.ok<Volume>('vol.create', { pool: 'd', name: 'd', capacity: 16 * MiB, format: 'linux-swap' });
  t.same([d1, d2, d5, d6].map((v) => [v.path, v.extra?.['partType']]), [
    [part(1), 'primary'],
    [part(2), 'extended'],
    [part(5), 'logical'],
    [part(6), 'logical']
  ]);
  const dl = await a.ok<{ volumes: Volume[] }>('vol.list', { pool: 'd' });
  t.same(dl.volumes.map((v) => v.format), ['none', 'extended', 'none', 'linux-swap']);
  t.equal(await a.code('vol.wipe', { volume: vol(base(2)) }), 'INVALID_ARGUMENT', 'no wiping an extended partition');
  t.equal(await a.code('vol.delete', { volume: vol(base(2)) }), 'POOL_BUSY', 'extended partition holding logical ones');
  await a.ok('vol.delete', { volume: vol(base(5)) });
  // parted renumbers logical partitions: the swap one is 5 now.
  const renumbered = await a.ok<{ volumes: Volume[] }>('vol.list', { pool: 'd' });
  t.same(renumbered.volumes.map((v) => [v.name, v.format]), [[base(1), 'none'], [base(2), 'extended'], [base(5), 'linux-swap']]);

  await a.ok('pool.stop', { pool: 'd' });
  await a.ok('pool.delete', { pool: 'd' });
  t.equal(await a.code('pool.start', { pool: 'd' }), 'INVALID_ARGUMENT', 'no label after delete');
  const fresh = await a.ok<{ sources: unknown[] }>('pool.findSources', { type: 'disk', device: loop });
  t.same(fresh.sources, [{ devices: [{ path: loop }] }], 'findSources: a device without a label');
  t.notMatch(readFileSync('/proc/self/mountinfo', 'utf8'), new RegExp(` ${mnt} `), 'nothing left mounted');
});
