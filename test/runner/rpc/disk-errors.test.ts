// The spec's error codes for disk and fs pools, end to end over JSON-RPC on a loop device: each
// failure has its stable code, a message, the tool context where a tool was involved, and leaves
// the device as it was.
import t from 'tap';
import { execa } from 'execa';
import { join } from 'node:path';
import type { Pool, Volume } from '../../../runner/contracts/generated.js';
import { RpcSession } from '../../helpers/rpc-session.js';
import { isMounted, kernelPartitions, loopArea, MiB, needsRoot } from '../../helpers/loop.js';

/** The partition table as parted prints it (machine format), to compare before and after. */
async function table(dev: string): Promise<string> {
  const r = await execa('parted', ['-s', '-m', dev, 'unit', 'B', 'print', 'free'], { reject: false, env: { LC_ALL: 'C' } });
  return `${r.exitCode}\n${r.stdout}\n${r.stderr}`;
}

async function fsUuid(dev: string): Promise<string> {
  return String((await execa('blkid', ['-p', '-o', 'value', '-s', 'UUID', dev], { reject: false })).stdout).trim();
}

t.test('disk and fs pool error codes over JSON-RPC', { skip: needsRoot }, async (t) => {
  const area = await loopArea(t, 'sa-rpc-err-');
  const loop = await area.attach('128M');
  const mnt = area.mountPoint('mnt');
  const rpc = RpcSession.start(t, join(area.dir, 'home'));
  const part = (n: number) => `${loop}p${n}`;
  const base = (n: number) => part(n).slice('/dev/'.length);

  // A GPT label with one partition, made outside the agent.
  await execa('parted', ['-s', loop, 'mklabel', 'gpt', 'mkpart', 'outside', '1MiB', '33MiB']);
  const before = await table(loop);

  await t.test('ALREADY_BUILT: building over an existing label without overwrite', async (t) => {
    await rpc.ok('pool.define', { name: 'edisk', type: 'disk', source: { devices: [{ path: loop }], format: 'dos' }, target: { path: '/dev' } });
    const e = await rpc.fails('pool.build', { pool: 'edisk' });
    t.equal(e.code, 'ALREADY_BUILT');
    t.match(e.message, /gpt/, 'the message names what is there');
    t.match(e.message, /overwrite/, 'and how to go on');
    t.match(e, { tool: 'parted', scriptlet: /^parted-/, version: /^\d/ }, 'with the tool context');
    t.equal(await table(loop), before, 'the label is untouched');
    const planned = await rpc.ok<{ plan: { argv: string[] }[] }>('pool.build', { pool: 'edisk', overwrite: true, dryRun: true });
    t.same(planned.plan.map((s) => s.argv.slice(-2)), [['mklabel', 'msdos']], 'with overwrite it would relabel (dry run)');
    t.equal(await table(loop), before, 'the dry run is only a plan');
    await rpc.ok('pool.undefine', { pool: 'edisk' });
  });

  await rpc.ok('pool.define', { name: 'edisk', type: 'disk', source: { devices: [{ path: loop }], format: 'gpt' }, target: { path: '/dev' } });
  await rpc.ok('pool.start', { pool: 'edisk' });
  t.same(kernelPartitions(loop), [1], 'the outside partition');

  await t.test('NO_SPACE: a partition that does not fit, and nothing left behind', async (t) => {
    const pool = await rpc.ok<Pool>('pool.get', { pool: 'edisk' });
    const largest = Math.max(...(pool.source?.devices?.[0]?.freeExtents ?? []).map((x) => x.end - x.start));
    t.ok(largest > 64 * MiB && largest < 96 * MiB, `largest free extent ${largest}`);
    const tableBefore = await table(loop);
    const e = await rpc.fails('vol.create', { pool: 'edisk', name: 'big', capacity: largest + MiB });
    t.equal(e.code, 'NO_SPACE');
    t.match(e.message, /free/, 'says there is not enough free space');
    t.match(e, { scriptlet: /^parted-.*\/vol-create$/ });
    t.equal(await table(loop), tableBefore, 'the table is unchanged');
    t.same(kernelPartitions(loop), [1], 'no partition node appeared');
    t.same((await rpc.ok<{ volumes: Volume[] }>('vol.list', { pool: 'edisk' })).volumes.map((v) => v.name), [base(1)], 'vol.list as before');
    t.equal((await rpc.fails('vol.create', { pool: 'edisk', name: 'huge', capacity: 1024 * MiB })).code, 'NO_SPACE', 'bigger than the disk');

    // What does fit is made, and a grow past the next partition is refused the same way.
    const fits = await rpc.ok<Volume>('vol.create', { pool: 'edisk', name: 'fits', capacity: 32 * MiB });
    t.equal(fits.path, part(2));
    const grownTable = await table(loop);
    t.equal((await rpc.fails('vol.resize', { volume: { pool: 'edisk', vol: base(1) }, capacity: 40 * MiB })).code, 'NO_SPACE', 'partition 1 cannot grow into partition 2');
    t.equal(await table(loop), grownTable, 'the table is unchanged');
    t.equal((await rpc.ok<Volume>('vol.get', { pool: 'edisk', vol: base(1) })).capacity, 32 * MiB, 'partition 1 keeps its size');
  });

  await t.test('CONFLICT, not a spurious NO_SPACE: partition changes sent together to one disk', async (t) => {
    const before = (await rpc.ok<{ volumes: Volume[] }>('vol.list', { pool: 'edisk' })).volumes.length;
    const replies = await Promise.all([1, 2, 3, 4].map((i) => rpc.call('vol.create', { pool: 'edisk', name: `c${i}`, capacity: 4 * MiB })));
    const codes = replies.map((r) => (r.error ? r.error.data.code : 'ok'));
    t.ok(codes.every((c) => c === 'ok' || c === 'CONFLICT'), `each is made or told the table is busy: ${codes.join(', ')}`);
    t.ok(codes.includes('ok'), 'at least one is made');
    const made = replies.filter((r) => !r.error).map((r) => r.result as Volume);
    const after = (await rpc.ok<{ volumes: Volume[] }>('vol.list', { pool: 'edisk' })).volumes;
    t.equal(after.length, before + made.length, 'one partition per success, none behind a failure');
    const spans = after.map((v) => [v.extra?.['extentStart'] as number, v.extra?.['extentEnd'] as number]).sort((a, b) => a[0]! - b[0]!);
    t.ok(spans.every((s, i) => i === 0 || s[0]! >= spans[i - 1]![1]!), 'no two partitions overlap');
    for (const v of made) await rpc.ok('vol.delete', { volume: { pool: 'edisk', vol: v.name } });
    t.equal((await rpc.ok<{ volumes: Volume[] }>('vol.list', { pool: 'edisk' })).volumes.length, before, 'cleaned up');
  });

  await t.test('POOL_ACTIVE: build, delete, undefine and start on a running pool', async (t) => {
    const tableBefore = await table(loop);
    for (const [method, params] of [
      ['pool.build', { pool: 'edisk' }],
      ['pool.build', { pool: 'edisk', overwrite: true }],
      ['pool.delete', { pool: 'edisk' }],
      ['pool.undefine', { pool: 'edisk' }],
      ['pool.start', { pool: 'edisk' }]
    ] as const) {
      const e = await rpc.fails(method, params);
      t.equal(e.code, 'POOL_ACTIVE', `${method} ${JSON.stringify(params)}`);
      t.match(e.message, /running/, 'says the pool is running');
    }
    t.equal(await table(loop), tableBefore, 'the label and partitions are untouched');
    t.equal((await rpc.ok<Pool>('pool.get', { pool: 'edisk' })).state, 'running', 'still running');
  });

  await t.test('fs pool: ALREADY_BUILT without overwrite, POOL_ACTIVE while mounted', async (t) => {
    await rpc.ok('pool.define', { name: 'efs', type: 'fs', source: { devices: [{ path: part(2) }], format: 'ext4' }, target: { path: mnt } });
    await rpc.ok('pool.build', { pool: 'efs' });
    const uuid = await fsUuid(part(2));
    t.match(uuid, /^[0-9a-f-]{36}$/, 'ext4 made');
    const e = await rpc.fails('pool.build', { pool: 'efs' });
    t.equal(e.code, 'ALREADY_BUILT');
    t.match(e, { tool: 'util-linux', scriptlet: /^util-linux-/ });
    t.equal(await fsUuid(part(2)), uuid, 'the file system was not remade');
    await rpc.ok('pool.start', { pool: 'efs' });
    t.ok(isMounted(mnt), 'mounted');
    t.equal((await rpc.fails('pool.build', { pool: 'efs', overwrite: true })).code, 'POOL_ACTIVE', 'no mkfs under a running pool');
    t.equal(await fsUuid(part(2)), uuid, 'still the same file system');
    t.equal((await rpc.fails('pool.delete', { pool: 'efs' })).code, 'POOL_ACTIVE');
    t.ok(isMounted(mnt), 'still mounted');

    // POOL_BUSY: the disk pool may not touch the partition the running fs pool has mounted.
    const tableBefore = await table(loop);
    const p2 = { pool: 'edisk', vol: base(2) };
    for (const [what, method, params] of [
      ['delete', 'vol.delete', { volume: p2 }],
      ['grow', 'vol.resize', { volume: p2, capacity: 48 * MiB }],
      ['shrink', 'vol.resize', { volume: p2, capacity: 16 * MiB, shrink: true }],
      ['wipe', 'vol.wipe', { volume: p2 }]
    ] as const) {
      const e = await rpc.fails(method, params);
      t.equal(e.code, 'POOL_BUSY', `${what} a mounted partition`);
      t.match(e.message, /in use|being used/, 'says it is in use');
    }
    t.equal(await table(loop), tableBefore, 'the table is unchanged');
    t.equal(await fsUuid(part(2)), uuid, 'the file system is intact');
    t.ok(isMounted(mnt), 'and still mounted');
    await rpc.ok('pool.stop', { pool: 'edisk' });
    const del = await rpc.fails('pool.delete', { pool: 'edisk' });
    t.equal(del.code, 'POOL_BUSY', 'no wiping the label of a disk whose partition is mounted');
    t.same([del.tool, del.argv], ['util-linux', ['wipefs', '--all', loop]], 'wipefs refused it');
    t.equal(await table(loop), tableBefore, 'the label is intact');
    await rpc.ok('pool.start', { pool: 'edisk' });
    await rpc.ok('pool.stop', { pool: 'efs' });
    t.notOk(isMounted(mnt), 'unmounted');
    t.equal((await rpc.fails('vol.create', { pool: 'efs', name: 'a.raw', capacity: MiB })).code, 'POOL_INACTIVE', 'no volume on a stopped fs pool');
    t.equal((await rpc.fails('vol.list', { pool: 'efs' })).code, 'POOL_INACTIVE');
  });

  await t.test('POOL_INACTIVE: every vol.* method on a stopped disk pool', async (t) => {
    await rpc.ok('pool.stop', { pool: 'edisk' });
    const tableBefore = await table(loop);
    const v = { pool: 'edisk', vol: base(1) };
    for (const [method, params] of [
      ['vol.list', { pool: 'edisk' }],
      ['vol.get', v],
      ['vol.dumpXml', { volume: v }],
      ['vol.create', { pool: 'edisk', name: 'x', capacity: MiB }],
      ['vol.create', { pool: 'edisk', xml: `<volume><name>x</name><capacity unit='MiB'>1</capacity></volume>` }],
      ['vol.resize', { volume: v, capacity: 16 * MiB, shrink: true }],
      ['vol.wipe', { volume: v }],
      ['vol.delete', { volume: v }],
      ['pool.refresh', { pool: 'edisk' }],
      ['pool.stop', { pool: 'edisk' }]
    ] as const) {
      const e = await rpc.fails(method, params);
      t.equal(e.code, 'POOL_INACTIVE', method);
      t.match(e.message, /not running/, 'says the pool is not running');
    }
    t.equal(await table(loop), tableBefore, 'nothing changed on the device');
    t.same(kernelPartitions(loop), [1, 2]);
  });

  await t.test('xfs: mkfs.xfs over a mounted xfs is POOL_BUSY', async (t) => {
    const xloop = await area.attach('320M', { partitions: false, name: 'xfs.img' });
    const xmnt = area.mountPoint('xmnt');
    await rpc.ok('pool.define', { name: 'exfs', type: 'fs', source: { devices: [{ path: xloop }], format: 'xfs' }, target: { path: xmnt } });
    await rpc.ok('pool.build', { pool: 'exfs' });
    const uuid = await fsUuid(xloop);
    t.equal((await rpc.fails('pool.build', { pool: 'exfs' })).code, 'ALREADY_BUILT', 'xfs already there');
    await rpc.ok('pool.start', { pool: 'exfs' });
    // A second pool on the same device, inactive: its build with overwrite reaches mkfs.xfs -f.
    await rpc.ok('pool.define', { name: 'exfs2', type: 'fs', source: { devices: [{ path: xloop }], format: 'xfs' }, target: { path: join(area.dir, 'xmnt2') } });
    const e = await rpc.fails('pool.build', { pool: 'exfs2', overwrite: true });
    t.equal(e.code, 'POOL_BUSY');
    t.match(e.message, /mounted/);
    t.equal(await fsUuid(xloop), uuid, 'the mounted xfs is intact');
    await rpc.ok('pool.undefine', { pool: 'exfs2' });
    await rpc.ok('pool.stop', { pool: 'exfs' });
    t.notOk(isMounted(xmnt), 'unmounted');
  });

  t.equal(await rpc.close(), 0, 'EOF: the agent exits 0');
  t.same(rpc.junk, [], 'nothing but JSON-RPC on stdout');
});
