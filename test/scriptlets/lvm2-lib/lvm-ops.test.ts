// The shared operations' decisions, with commands answered by a script (fake-ctx.ts). The
// answers are lvm2's own forms; what matters here is which commands run, with which argv, and
// which code comes back. Real lvm2 runs are in lvm2-real.test.ts, recorded ones in the goldens.
import t from 'tap';
import {
  poolBuild,
  poolDelete,
  poolStart,
  poolStop,
  volCopy,
  volCreate,
  volDelete,
  volGet,
  volList,
  volResize,
  volSnapshot,
  volWipe,
  freeThinPoolName,
  originIn
} from '../../../scriptlets/lib/lvm-ops.js';
import { LVM2_2_02_98 } from '../../../scriptlets/lvm2-2.02.98/dialect.js';
import { LVM2_2_03 } from '../../../scriptlets/lvm2-2.03/dialect.js';
import { POOL, cmd, fakeCtx, jsonReport, lvRow } from './fake-ctx.js';

const D = LVM2_2_03;
const MiB = 1024 * 1024;
const vol = (name: string, attr: string, capacity: number) => ({
  pool: 'p1', name, key: `${name}-key`, path: `/dev/vg1/${name}`, type: 'block' as const, capacity, allocation: capacity, format: 'lvm2',
  extra: { lvAttr: attr, lvType: attr.startsWith('V') ? 'thin' : attr.startsWith('t') ? 'thin-pool' : attr.startsWith('s') ? 'snapshot' : 'linear' }
});
const lvs = (...rows: Record<string, string>[]) => ({ stdout: jsonReport('lv', rows) });

t.test('build without overwrite: any signature is ALREADY_BUILT, nothing written', async (t) => {
  const { ctx, ran } = fakeCtx([
    [cmd('blkid', '/dev/loop7'), { exitCode: 2 }],
    [cmd('blkid', '/dev/loop8'), { stdout: 'DEVNAME=/dev/loop8\nUUID=adb1\nBLOCK_SIZE=1024\nTYPE=ext4\nUSAGE=filesystem\n' }]
  ]);
  const r = await poolBuild(ctx, { pool: POOL, overwrite: false }, D);
  t.match(r, { ok: false, error: { code: 'ALREADY_BUILT', message: /\/dev\/loop8 already holds a ext4 signature/ } });
  t.notOk(ran.some((x) => x.mutating), 'no mutation');
});

t.test('build without overwrite on clean devices: pvcreate, vgcreate', async (t) => {
  const { ctx, ran } = fakeCtx([[cmd('blkid'), { exitCode: 2 }], [cmd('pvcreate'), {}], [cmd('vgcreate'), {}]]);
  const r = await poolBuild(ctx, { pool: POOL, overwrite: false }, D);
  t.same(r, { ok: true, value: {} });
  t.same(ran.map((x) => x.argv), [
    ['blkid', '-p', '-o', 'export', '/dev/loop7'],
    ['blkid', '-p', '-o', 'export', '/dev/loop8'],
    ['pvcreate', '--config', 'global{activation=0}', '/dev/loop7', '/dev/loop8'],
    ['vgcreate', '--config', 'global{activation=0}', 'vg1', '/dev/loop7', '/dev/loop8']
  ]);
});

t.test('build with overwrite: a PV of some VG is POOL_BUSY; others are wiped', async (t) => {
  const pvs = (vg: string) => ({
    stdout: jsonReport('pv', [
      { pv_name: '/dev/loop7', vg_name: vg, pv_uuid: 'u', pv_fmt: 'lvm2', pv_attr: 'a--', pv_size: '1', pv_free: '1', pv_used: '0', dev_size: '1', pe_start: '1', pv_pe_count: '1', pv_pe_alloc_count: '0' }
    ])
  });
  const busy = fakeCtx([[cmd('pvs'), pvs('other')]]);
  t.match(await poolBuild(busy.ctx, { pool: POOL, overwrite: true }, D), { ok: false, error: { code: 'POOL_BUSY', message: /volume group "other"/ } });
  t.notOk(busy.ran.some((x) => x.mutating));
  const ok = fakeCtx([[cmd('pvs'), pvs('')], [cmd('wipefs'), {}], [cmd('pvcreate'), {}], [cmd('vgcreate'), {}]]);
  t.same(await poolBuild(ok.ctx, { pool: POOL, overwrite: true }, D), { ok: true, value: {} });
  t.same(ok.ran.filter((x) => x.mutating).map((x) => x.argv[0]), ['wipefs', 'wipefs', 'pvcreate', 'vgcreate']);
});

t.test('build: a failed vgcreate removes the PV labels it made and says why', async (t) => {
  let pvcreated = false;
  const { ctx, ran } = fakeCtx([
    [cmd('blkid'), { exitCode: 2 }],
    [cmd('pvcreate'), () => ((pvcreated = true), {})],
    [cmd('vgcreate'), { exitCode: 5, stderr: '  A volume group called vg1 already exists.\n' }],
    [
      cmd('pvs'),
      () => ({
        stdout: jsonReport(
          'pv',
          (pvcreated ? ['/dev/loop7', '/dev/loop8'] : []).map((n) => ({ pv_name: n, vg_name: '', pv_uuid: 'u', pv_fmt: 'lvm2', pv_attr: '---', pv_size: '1', pv_free: '1', pv_used: '0', dev_size: '1', pe_start: '1', pv_pe_count: '0', pv_pe_alloc_count: '0' }))
        )
      })
    ],
    [cmd('pvremove'), {}]
  ]);
  t.match(await poolBuild(ctx, { pool: POOL, overwrite: false }, D), { ok: false, error: { code: 'POOL_EXISTS' } });
  t.same(ran[ran.length - 1]?.argv, ['pvremove', '--config', 'global{activation=0}', '/dev/loop7', '/dev/loop8']);
});

t.test('build refuses bad input before running anything', async (t) => {
  const { ctx, ran } = fakeCtx([]);
  t.match(await poolBuild(ctx, { pool: { ...POOL, source: { name: 'vg1' } }, overwrite: false }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.match(await poolBuild(ctx, { pool: { ...POOL, source: { name: 'bad:vg', devices: [{ path: '/dev/x' }] } }, overwrite: false }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.match(await poolBuild(ctx, { pool: { ...POOL, source: { devices: [{ path: '/dev/x' }, { path: '/dev/x' }] } }, overwrite: false }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.equal(ran.length, 0);
});

t.test('start and stop with and without device-mapper', async (t) => {
  const noDm = fakeCtx([[cmd('vgs'), { stdout: jsonReport('vg', []) }]]);
  t.match(await poolStart(noDm.ctx, { pool: POOL }, D), { ok: false, error: { code: 'NO_POOL' } });
  t.same(await poolStop(noDm.ctx, { pool: POOL }, D), { ok: true, value: {} });
  t.equal(noDm.ran.length, 1, 'stop runs nothing without device-mapper');
  const dm = fakeCtx([[cmd('vgchange', '-ay'), {}], [cmd('vgchange', '-an'), { exitCode: 5, stderr: '  Volume group "vg1" not found\n  Cannot process volume group vg1\n' }]], { deviceMapper: true });
  t.same(await poolStart(dm.ctx, { pool: POOL }, D), { ok: true, value: {} });
  t.same(await poolStop(dm.ctx, { pool: POOL }, D), { ok: true, value: {} }, 'a VG that is gone has nothing active');
  t.same(dm.ran.map((x) => x.argv), [['vgchange', '-ay', 'vg1'], ['vgchange', '-an', 'vg1']]);
  const busy = fakeCtx([[cmd('vgchange'), { exitCode: 5, stderr: '  Logical volume vg1/lv1 in use.\n  Can\'t deactivate volume group "vg1" with 1 open logical volume(s)\n' }]], { deviceMapper: true });
  t.match(await poolStop(busy.ctx, { pool: POOL }, D), { ok: false, error: { code: 'POOL_BUSY' } });
});

t.test('delete refuses a VG with volumes; else vgremove and pvremove (a device no longer a PV is fine)', async (t) => {
  const full = fakeCtx([[cmd('lvs'), lvs(lvRow('lv1', '-wi-a-----', MiB))]]);
  t.match(await poolDelete(full.ctx, { pool: POOL }, D), { ok: false, error: { code: 'POOL_BUSY', message: /lv1/ } });
  t.notOk(full.ran.some((x) => x.mutating));
  const empty = fakeCtx([[cmd('lvs'), lvs()], [cmd('vgremove'), {}], [cmd('pvremove'), { exitCode: 5, stderr: '  No PV found on device /dev/loop8.\n' }]]);
  t.same(await poolDelete(empty.ctx, { pool: POOL }, D), { ok: true, value: {} });
  const noDevs = fakeCtx([
    [cmd('lvs'), lvs()],
    [cmd('pvs'), { stdout: jsonReport('pv', [{ pv_name: '/dev/sdz', vg_name: 'p1', pv_uuid: 'u', pv_fmt: 'lvm2', pv_attr: 'a--', pv_size: '1', pv_free: '1', pv_used: '0', dev_size: '1', pe_start: '1', pv_pe_count: '1', pv_pe_alloc_count: '0' }]) }],
    [cmd('vgremove'), {}],
    [cmd('pvremove'), {}]
  ]);
  t.same(await poolDelete(noDevs.ctx, { pool: { name: 'p1', uuid: POOL.uuid, type: 'logical' } }, D), { ok: true, value: {} });
  t.same(noDevs.ran[noDevs.ran.length - 1]?.argv, ['pvremove', '--config', 'global{activation=0}', '/dev/sdz'], 'PVs found from the VG when the definition names none');
  const gone = fakeCtx([[cmd('lvs'), { exitCode: 5, stderr: '  Volume group "vg1" not found\n  Cannot process volume group vg1\n' }]]);
  t.match(await poolDelete(gone.ctx, { pool: POOL }, D), { ok: false, error: { code: 'NO_POOL' } });
});

t.test('list asks for details only when thin or snapshot LVs are there', async (t) => {
  const plain = fakeCtx([[cmd('lvs'), lvs(lvRow('a', '-wi-XX----', MiB))]]);
  const r = await volList(plain.ctx, { pool: POOL }, D);
  t.match(r, { ok: true, value: { volumes: [{ name: 'a', pool: 'p1', path: '/dev/vg1/a' }] } });
  t.equal(plain.ran.length, 1);
  const thin = fakeCtx([
    [cmd('lvs', 'lv_uuid,pool_lv,data_percent,origin_size'), { stdout: jsonReport('lv', [{ lv_uuid: lvRow('th', '', 0)['lv_uuid'] as string, pool_lv: 'tp', data_percent: '50.00', origin_size: '' }]) }],
    [cmd('lvs'), lvs(lvRow('tp', 'twi-aotz--', 100 * MiB), lvRow('th', 'Vwi-aotz--', 1024 * MiB))]
  ]);
  const t2 = await volList(thin.ctx, { pool: POOL }, D);
  t.match(t2, { ok: true, value: { volumes: [{ name: 'tp', extra: { lvType: 'thin-pool' } }, { name: 'th', allocation: 512 * MiB, extra: { thinPool: 'tp' } }] } });
  t.equal(thin.ran.length, 2);
});

t.test('get: an invalid LV name cannot exist; a missing one is NO_VOLUME', async (t) => {
  const { ctx, ran } = fakeCtx([[cmd('lvs'), lvs(lvRow('a', '-wi-XX----', MiB))]]);
  t.match(await volGet(ctx, { pool: POOL, name: 'a:b' }, D), { ok: false, error: { code: 'NO_VOLUME' } });
  t.equal(ran.length, 0);
  t.match(await volGet(ctx, { pool: POOL, name: 'nope' }, D), { ok: false, error: { code: 'NO_VOLUME' } });
  t.same(ran[0]?.argv.slice(-1), ['vg1'], 'the VG report, like vol.list');
  t.match(await volGet(ctx, { pool: POOL, name: 'a' }, D), { ok: true, value: { volume: { name: 'a', capacity: MiB } } });
  const gone = fakeCtx([[cmd('lvs'), { exitCode: 5, stderr: '  Volume group "vg1" not found\n  Cannot process volume group vg1\n' }]]);
  t.match(await volGet(gone.ctx, { pool: POOL, name: 'a' }, D), { ok: false, error: { code: 'NO_POOL' } });
});

t.test('create without device-mapper: linear with -Z n; sparse is UNSUPPORTED before anything runs', async (t) => {
  const { ctx, ran } = fakeCtx([[cmd('lvcreate'), {}], [cmd('lvs'), lvs(lvRow('new', '-wi-XX----', 8 * MiB))]]);
  const r = await volCreate(ctx, { pool: POOL, name: 'new', capacity: 8 * MiB }, D);
  t.match(r, { ok: true, value: { volume: { name: 'new', capacity: 8 * MiB, format: 'lvm2', type: 'block' } } });
  t.same(ran[0]?.argv, ['lvcreate', '--config', 'global{activation=0}', '-Z', 'n', '-n', 'new', '-L', '8m', 'vg1']);
  const sparse = fakeCtx([]);
  t.match(await volCreate(sparse.ctx, { pool: POOL, name: 'new', capacity: 8 * MiB, allocation: 0 }, D), { ok: false, error: { code: 'UNSUPPORTED', message: /device-mapper/ } });
  t.match(await volCreate(sparse.ctx, { pool: POOL, name: 'n', capacity: 8 * MiB, format: 'qcow2' }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.match(await volCreate(sparse.ctx, { pool: POOL, name: 'a,b', capacity: 8 * MiB }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.match(await volCreate(sparse.ctx, { pool: POOL, name: 'n', capacity: 8 * MiB, allocation: 9 * MiB }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.equal(sparse.ran.length, 0);
});

t.test('create with device-mapper: thin in the VG\'s thin pool, thin with a new pool when sparse, else linear', async (t) => {
  const withPool = fakeCtx([[cmd('lvs', 'lv_uuid,pool_lv,data_percent,origin_size'), { stdout: jsonReport('lv', []) }], [cmd('lvs'), lvs(lvRow('tp', 'twi-aotz--', 100 * MiB))], [cmd('lvcreate'), {}]], { deviceMapper: true });
  await volCreate(withPool.ctx, { pool: POOL, name: 'v', capacity: 1024 * MiB }, D);
  t.same(withPool.ran.find((x) => x.mutating)?.argv, ['lvcreate', '--yes', '-T', 'vg1/tp', '-V', '1g', '-n', 'v']);
  const sparse = fakeCtx([[cmd('lvs'), lvs(lvRow('thinpool', '-wi-a-----', MiB))], [cmd('lvcreate'), {}]], { deviceMapper: true });
  await volCreate(sparse.ctx, { pool: POOL, name: 'v', capacity: 1024 * MiB, allocation: 64 * MiB }, D);
  t.same(sparse.ran.find((x) => x.mutating)?.argv, ['lvcreate', '--yes', '-L', '64m', '-T', 'vg1/thinpool1', '-V', '1g', '-n', 'v'], 'a name not taken');
  const linear = fakeCtx([[cmd('lvs'), lvs()], [cmd('lvcreate'), {}]], { deviceMapper: true });
  await volCreate(linear.ctx, { pool: POOL, name: 'v', capacity: 1024 * MiB }, D);
  t.same(linear.ran.find((x) => x.mutating)?.argv, ['lvcreate', '--yes', '-n', 'v', '-L', '1g', 'vg1']);
  const taken = fakeCtx([[cmd('lvs'), lvs(lvRow('v', '-wi-a-----', MiB))]], { deviceMapper: true });
  t.match(await volCreate(taken.ctx, { pool: POOL, name: 'v', capacity: MiB }, D), { ok: false, error: { code: 'VOLUME_EXISTS' } });
  t.equal(freeThinPoolName(['thinpool', 'thinpool1']), 'thinpool2');
});

t.test('create under dryRun answers the planned volume', async (t) => {
  const { ctx, ran } = fakeCtx([], { dryRun: true });
  const r = await volCreate(ctx, { pool: POOL, name: 'v', capacity: 8 * MiB }, D);
  t.match(r, { ok: true, value: { volume: { name: 'v', path: '/dev/vg1/v', capacity: 8 * MiB } } });
  t.same(ran.map((x) => x.argv[0]), ['lvcreate']);
});

t.test('create NO_SPACE leaves nothing to clean up', async (t) => {
  const { ctx, ran } = fakeCtx([[cmd('lvcreate'), { exitCode: 5, stderr: '  Volume group "vg1" has insufficient free space (3 extents): 256 required.\n' }]]);
  t.match(await volCreate(ctx, { pool: POOL, name: 'big', capacity: 1024 * MiB }, LVM2_2_02_98), { ok: false, error: { code: 'NO_SPACE', command: { exitCode: 5 } } });
  t.equal(ran.length, 1);
});

t.test('resize: grow relative, shrink only with shrink, snapshots and thin-pool shrink refused', async (t) => {
  const grow = fakeCtx([[cmd('lvresize'), {}], [cmd('lvs'), lvs(lvRow('a', '-wi-XX----', 48 * MiB))]]);
  t.match(await volResize(grow.ctx, { pool: POOL, volume: vol('a', '-wi-XX----', 40 * MiB), capacity: 48 * MiB, shrink: false }, D), { ok: true, value: { volume: { capacity: 48 * MiB } } });
  t.same(grow.ran[0]?.argv, ['lvresize', '--config', 'global{activation=0}', '-L', '+8m', 'vg1/a']);
  const noFlag = fakeCtx([]);
  t.match(await volResize(noFlag.ctx, { pool: POOL, volume: vol('a', '-wi-XX----', 40 * MiB), capacity: 20 * MiB, shrink: false }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.match(await volResize(noFlag.ctx, { pool: POOL, volume: vol('s', 'swi-a-s---', 40 * MiB), capacity: 80 * MiB, shrink: false }, D), { ok: false, error: { code: 'UNSUPPORTED' } });
  t.match(await volResize(noFlag.ctx, { pool: POOL, volume: vol('tp', 'twi-a-tz--', 40 * MiB), capacity: 20 * MiB, shrink: true }, D), { ok: false, error: { code: 'UNSUPPORTED' } });
  t.match(await volResize(noFlag.ctx, { pool: POOL, volume: { ...vol('a', '-wi-XX----', 40 * MiB), path: '/dev/other/a' }, capacity: 80 * MiB, shrink: false }, D), { ok: false, error: { code: 'NO_VOLUME' } });
  t.equal(noFlag.ran.length, 0);
  const shrink = fakeCtx([[cmd('lvresize'), {}], [cmd('lvs'), lvs(lvRow('a', '-wi-XX----', 20 * MiB))]]);
  await volResize(shrink.ctx, { pool: POOL, volume: vol('a', '-wi-XX----', 40 * MiB), capacity: 20 * MiB, shrink: true }, D);
  t.same(shrink.ran[0]?.argv, ['lvresize', '--config', 'global{activation=0}', '-f', '-L', '20m', 'vg1/a']);
  const same = fakeCtx([[cmd('lvresize'), { exitCode: 5, stderr: '  New size (5 extents) matches existing size (5 extents).\n' }], [cmd('lvs'), lvs(lvRow('a', '-wi-XX----', 20 * MiB))]]);
  t.match(await volResize(same.ctx, { pool: POOL, volume: vol('a', '-wi-XX----', 20 * MiB), capacity: 20 * MiB - 1024, shrink: true }, D), { ok: true });
});

t.test('delete: origins and used thin pools are refused; missing is NO_VOLUME', async (t) => {
  const { ctx, ran } = fakeCtx([
    [cmd('lvs'), { stdout: jsonReport('lv', [{ lv_name: 'th', pool_lv: 'tp' }]) }],
    [cmd('lvremove'), { exitCode: 5, stderr: '  Failed to find logical volume "vg1/gone"\n' }]
  ]);
  t.match(await volDelete(ctx, { pool: POOL, volume: vol('o', 'owi-a-s---', MiB) }, D), { ok: false, error: { code: 'POOL_BUSY', message: /snapshots/ } });
  t.match(await volDelete(ctx, { pool: POOL, volume: vol('tp', 'twi-a-tz--', MiB) }, D), { ok: false, error: { code: 'POOL_BUSY', message: /th/ } });
  t.match(await volDelete(ctx, { pool: POOL, volume: vol('gone', '-wi-a-----', MiB) }, D), { ok: false, error: { code: 'NO_VOLUME' } });
  t.same(ran.filter((x) => x.mutating).map((x) => x.argv), [['lvremove', '--config', 'global{activation=0}', '-f', 'vg1/gone']]);
});

t.test('snapshot, copy and wipe need device-mapper', async (t) => {
  const { ctx, ran } = fakeCtx([]);
  const a = vol('a', '-wi-XX----', 64 * MiB);
  t.match(await volSnapshot(ctx, { pool: POOL, name: 's', from: a }, D), { ok: false, error: { code: 'UNSUPPORTED', message: /device-mapper/ } });
  t.match(await volCopy(ctx, { pool: POOL, name: 'c', from: a }, D), { ok: false, error: { code: 'UNSUPPORTED', message: /device-mapper/ } });
  t.match(await volWipe(ctx, { pool: POOL, volume: a, algorithm: 'zero' }, D), { ok: false, error: { code: 'UNSUPPORTED', message: /device-mapper/ } });
  t.match(await volSnapshot(ctx, { pool: POOL, name: 's', from: { ...a, path: '/srv/img.raw' } }, D), { ok: false, error: { code: 'INVALID_ARGUMENT' } });
  t.equal(ran.length, 0);
});

t.test('snapshot with device-mapper: COW the origin\'s size, thin snapshot of a thin volume', async (t) => {
  const { ctx, ran } = fakeCtx([[cmd('lvcreate'), {}], [cmd('lvs', 'lv_uuid,pool_lv,data_percent,origin_size'), { stdout: jsonReport('lv', []) }], [cmd('lvs'), lvs(lvRow('s', 'swi-a-s---', 64 * MiB, { origin: 'a' }))]], { deviceMapper: true });
  const r = await volSnapshot(ctx, { pool: POOL, name: 's', from: vol('a', '-wi-a-----', 64 * MiB) }, D);
  t.match(r, { ok: true, value: { volume: { name: 's', backingStore: { path: '/dev/vg1/a' } } } });
  t.same(ran[0]?.argv, ['lvcreate', '--yes', '-s', '-L', '64m', '-n', 's', 'vg1/a']);
  const thin = fakeCtx([[cmd('lvcreate'), {}]], { deviceMapper: true, dryRun: true });
  await volSnapshot(thin.ctx, { pool: POOL, name: 's', from: vol('th', 'Vwi-a-tz--', 64 * MiB) }, D);
  t.same(thin.ran[0]?.argv, ['lvcreate', '--yes', '-s', '-kn', '-n', 's', 'vg1/th']);
  t.equal(originIn('vg1', '/dev/vg1/a'), 'a');
  t.equal(originIn('vg1', '/dev/vg2/a'), null);
  t.equal(originIn('vg1', '/dev/vg1/a/b'), null);
});

t.test('copy: create, qemu-img with progress, and remove the LV if the copy fails', async (t) => {
  const { ctx, ran, progress } = fakeCtx(
    [[cmd('lvs'), lvs()], [cmd('lvcreate'), {}], [cmd('qemu-img'), { exitCode: 1, stderr: 'qemu-img: Could not open /srv/x.qcow2\n' }], [cmd('lvremove'), {}]],
    { deviceMapper: true }
  );
  const r = await volCopy(ctx, { pool: POOL, name: 'c', from: { name: 'x', key: '/srv/x.qcow2', path: '/srv/x.qcow2', type: 'file', capacity: 64 * MiB, allocation: 0, format: 'qcow2' } }, D);
  t.match(r, { ok: false, error: { code: 'TOOL_FAILED' } });
  const q = ran.find((x) => x.argv[0] === 'qemu-img');
  t.same(q?.argv, ['qemu-img', 'convert', '-p', '-n', '-f', 'qcow2', '-O', 'raw', '/srv/x.qcow2', '/dev/vg1/c']);
  // qemu-img's -p output, as it arrives, is read by the scriptlet as progress of 100.
  t.type(q?.options.onStdout, 'function', 'stdout is read as it arrives');
  q?.options.onStdout?.('    (0.00/100%)\r    (12.50/100%)\r');
  t.same(progress, [[0, 100], [12.5, 100]]);
  t.same(ran[ran.length - 1]?.argv, ['lvremove', '-f', 'vg1/c']);
  const odd = fakeCtx([], { deviceMapper: true });
  t.match(await volCopy(odd.ctx, { pool: POOL, name: 'c', from: { ...vol('a', '-', MiB), format: 'ploop' } }, D), { ok: false, error: { code: 'UNSUPPORTED' } });
});

t.test('wipe: dd in ranges with progress', async (t) => {
  const { ctx, ran, progress } = fakeCtx([[cmd('dd'), {}]], { deviceMapper: true });
  const r = await volWipe(ctx, { pool: POOL, volume: vol('a', '-wi-a-----', 200 * MiB), algorithm: 'random' }, D);
  t.same(r, { ok: true, value: {} });
  t.equal(ran.length, 4, '64 MiB ranges');
  t.same(ran[3]?.argv, ['dd', 'if=/dev/urandom', 'of=/dev/vg1/a', 'bs=1M', 'iflag=fullblock,count_bytes', 'oflag=seek_bytes', 'conv=notrunc,fsync', `seek=${192 * MiB}`, `count=${8 * MiB}`]);
  t.same(progress[progress.length - 1], [200 * MiB, 200 * MiB]);
  t.same(progress[0], [0, 200 * MiB]);
  t.match(await volWipe(ctx, { pool: POOL, volume: vol('tp', 'twi-a-tz--', MiB), algorithm: 'zero' }, D), { ok: false, error: { code: 'UNSUPPORTED' } });
});
