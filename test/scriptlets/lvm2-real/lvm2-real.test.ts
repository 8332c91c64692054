// The lvm2 scriptlets against this host's real lvm2, on two loop devices with a private
// lvm.conf (lvm-env.ts), run through the agent's invoke: the sandbox process, its permission
// checks and the contracts on input and output. Each series' scriptlet is pinned in turn (so the
// 2.02 text and JSON series read today's lvm2 too); commands run on the machine, resolved on
// the test's tool path (wrappers that set LVM_SYSTEM_DIR). Skipped when not root or lvm2 is
// missing.
import t from 'tap';
import { execa } from 'execa';
import type { HostFacts, OperationName } from '../../../runner/scriptlet/api.js';
import { invoke } from '../../../runner/scriptlet/invoke.js';
import { realExecutor, type ToolExecutor } from '../../../runner/scriptlet/executor.js';
import { resolveBinary } from '../../../runner/exec/resolve-binary.js';
import { opFileName } from '../../../runner/scriptlet/registry.js';
import { testRuntime } from '../../helpers/runtime.js';
import { hasDeviceMapper, lvmUnavailable, makeLvmEnv, type LvmEnv } from './lvm-env.js';

const MiB = 1024 * 1024;

function machine(env: LvmEnv, log: string[][]): ToolExecutor {
  return {
    exec: (file, argv, opts) => {
      log.push([...argv]);
      return realExecutor.exec(resolveBinary(file, env.toolPath) ?? file, argv, { ...opts, env: { PATH: env.toolPath } });
    },
    fs: realExecutor.fs
  };
}

type Rt = Awaited<ReturnType<typeof testRuntime>>;
async function runOp(rt: Rt, executor: ToolExecutor, host: HostFacts, series: string, op: OperationName, input: unknown) {
  const o = await invoke(rt, { op, poolType: 'logical', input, fsRoot: null, pinned: { scriptletId: `${series}/${opFileName(op)}`, version: '2.03.16', host, executor } });
  return o.result.ok ? { ok: true as const, value: o.result.value } : { ok: false as const, error: o.result.error };
}

const why = lvmUnavailable();
t.test('lvm2 scriptlets on real lvm2 and loop devices', { skip: why ?? false }, async (t) => {
  const env = await makeLvmEnv({ sizesMiB: [64, 64] });
  t.teardown(() => env.teardown());
  const rt = await testRuntime(t);
  const log: string[][] = [];
  const executor = machine(env, log);
  const host: HostFacts = { deviceMapper: hasDeviceMapper(), root: true };
  const S = 'lvm2-2.03';
  const op = (series: string, o: OperationName, input: unknown) => runOp(rt, executor, host, series, o, input);
  const version = (await execa('lvm', ['version'], { reject: false })).stdout;
  t.match(version, /LVM version:\s+2\.03\./, 'this host has lvm2 2.03');
  const pool = { name: `pool-${env.vg}`, uuid: '0c8c1f5e-3b0a-4d7c-9a1e-6f2d8b4c5a70', type: 'logical', source: { name: env.vg, format: 'lvm2', devices: env.devices.map((path) => ({ path })) } };
  const vol = async (name: string) => {
    const r = await op(S, 'vol.get', { pool, name });
    if (!r.ok) throw new Error(`vol.get ${name}: ${r.error.code} ${r.error.message}`);
    return (r.value as { volume: { name: string; capacity: number; path: string; key: string; extra: Record<string, unknown> } }).volume;
  };

  t.same(await op(S, 'pool.build', { pool, overwrite: false }), { ok: true, value: {} }, 'build');
  t.match(await op(S, 'pool.build', { pool, overwrite: false }), { ok: false, error: { code: 'ALREADY_BUILT' } }, 'build again: the PV labels are signatures');
  t.match(await op(S, 'pool.build', { pool, overwrite: true }), { ok: false, error: { code: 'POOL_BUSY' } }, 'overwrite never wipes PVs of a VG');
  t.same(await op(S, 'pool.start', { pool }), { ok: true, value: {} }, 'start');
  const refreshed = await op(S, 'pool.refresh', { pool });
  t.match(refreshed, { ok: true, value: { sizes: { capacity: 2 * 60 * MiB, allocation: 0, available: 2 * 60 * MiB } } }, 'two 64 MiB PVs hold 2 x 15 extents of 4 MiB');
  const sources = await op(S, 'pool.findSources', { type: 'logical' });
  t.match(sources, { ok: true });
  if (sources.ok) {
    const mine = (sources.value as { sources: { name: string; devices: { path: string }[] }[] }).sources.find((s) => s.name === env.vg);
    t.same(mine?.devices.map((d) => d.path).sort(), [...env.devices].sort(), 'findSources: our VG with our PVs');
  }

  for (const [name, size] of [['v1', 8 * MiB], ['v2', 12 * MiB], ['v3', 20 * MiB]] as const) {
    const r = await op(S, 'vol.create', { pool, name, capacity: size });
    t.match(r, { ok: true, value: { volume: { name, capacity: size === 12 * MiB ? 12 * MiB : size, type: 'block', format: 'lvm2', path: `/dev/${env.vg}/${name}` } } }, `create ${name}`);
  }
  const listed = await op(S, 'vol.list', { pool });
  t.match(listed, { ok: true });
  const names = listed.ok ? (listed.value as { volumes: { name: string; key: string }[] }).volumes.map((v) => v.name) : [];
  t.same(names, ['v1', 'v2', 'v3'], 'list');
  const v1 = await vol('v1');
  t.match(v1.key, /^[A-Za-z0-9]{6}(-[A-Za-z0-9]{4}){5}-[A-Za-z0-9]{6}$/, 'key is the LV UUID');

  t.match(await op(S, 'vol.create', { pool, name: 'v1', capacity: 4 * MiB }), { ok: false, error: { code: 'VOLUME_EXISTS' } }, 'name taken');
  t.match(await op(S, 'vol.create', { pool, name: 'huge', capacity: 1024 * MiB }), { ok: false, error: { code: 'NO_SPACE' } }, 'does not fit: NO_SPACE');
  t.match(await op(S, 'vol.get', { pool, name: 'huge' }), { ok: false, error: { code: 'NO_VOLUME' } }, '... and leaves nothing');

  const grown = await op(S, 'vol.resize', { pool, volume: v1, capacity: 16 * MiB, shrink: false });
  t.match(grown, { ok: true, value: { volume: { name: 'v1', capacity: 16 * MiB } } }, 'resize up');
  const v3 = await vol('v3');
  t.match(await op(S, 'vol.resize', { pool, volume: v3, capacity: 8 * MiB, shrink: false }), { ok: false, error: { code: 'INVALID_ARGUMENT' } }, 'shrink without shrink: true');
  t.equal((await vol('v3')).capacity, 20 * MiB, '... changes nothing');
  t.match(await op(S, 'vol.resize', { pool, volume: v3, capacity: 8 * MiB, shrink: true }), { ok: true, value: { volume: { capacity: 8 * MiB } } }, 'resize down');
  t.match(await op(S, 'vol.resize', { pool, volume: await vol('v1'), capacity: 1024 * MiB, shrink: false }), { ok: false, error: { code: 'NO_SPACE' } }, 'grow past the free space');
  t.match(await op(S, 'vol.resize', { pool, volume: await vol('v2'), capacity: 10 * MiB, shrink: true }), { ok: true, value: { volume: { capacity: 12 * MiB } } }, 'a shrink within one extent is the same size');

  if (!host.deviceMapper) {
    for (const [o, input] of [
      ['vol.snapshot', { pool, name: 's1', from: v1 }],
      ['vol.copy', { pool, name: 'c1', from: v1 }],
      ['vol.wipe', { pool, volume: v1, algorithm: 'zero' }],
      ['vol.create', { pool, name: 'thin1', capacity: 64 * MiB, allocation: 0 }]
    ] as const) {
      t.match(await op(S, o, input), { ok: false, error: { code: 'UNSUPPORTED', message: /device-mapper/ } }, `${o} needs activation`);
    }
  }

  // The text and the JSON 2.02 series read today's lvm2 too.
  for (const series of ['lvm2-2.02.98', 'lvm2-2.02.158']) {
    const r = await op(series, 'vol.list', { pool });
    t.same(r.ok ? (r.value as { volumes: { name: string; capacity: number }[] }).volumes.map((v) => [v.name, v.capacity]) : r, [['v1', 16 * MiB], ['v2', 12 * MiB], ['v3', 8 * MiB]], `${series} lists the same`);
  }

  t.match(await op(S, 'pool.delete', { pool }), { ok: false, error: { code: 'POOL_BUSY' } }, 'delete refuses a pool with volumes');
  for (const n of ['v1', 'v2', 'v3']) t.same(await op(S, 'vol.delete', { pool, volume: await vol(n) }), { ok: true, value: {} }, `delete ${n}`);
  t.match(await op(S, 'vol.delete', { pool, volume: v1 }), { ok: false, error: { code: 'NO_VOLUME' } }, 'delete again');
  t.same(await op(S, 'pool.stop', { pool }), { ok: true, value: {} }, 'stop');
  t.same(await op(S, 'pool.delete', { pool }), { ok: true, value: {} }, 'delete the pool');
  t.match(await op(S, 'pool.refresh', { pool }), { ok: false, error: { code: 'NO_POOL' } }, 'gone');
  for (const d of env.devices) {
    const b = await execa('blkid', ['-p', '-o', 'export', d], { reject: false });
    t.equal(b.exitCode, 2, `${d} has no signature left`);
  }

  // Overwrite: an ext4 on one device answers ALREADY_BUILT, and overwrite wipes it.
  await execa('mkfs.ext4', ['-q', '-F', env.devices[1] as string]);
  t.match(await op(S, 'pool.build', { pool, overwrite: false }), { ok: false, error: { code: 'ALREADY_BUILT', message: /ext4/ } }, 'a file system is data');
  t.same(await op(S, 'pool.build', { pool, overwrite: true }), { ok: true, value: {} }, 'overwrite wipes it');
  t.same(await op(S, 'pool.delete', { pool }), { ok: true, value: {} });
  t.ok(log.every((argv) => !['pvcreate', 'vgcreate', 'lvcreate', 'lvs', 'vgs', 'pvs'].includes(argv[0] as string) || host.deviceMapper || argv.includes('global{activation=0}')), 'every lvm2 command carries activation=0 here');
});
