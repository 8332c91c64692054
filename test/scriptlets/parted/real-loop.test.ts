// The disk and fs pools for real, on a loop device over a sparse image: the parted series this
// machine's parted selects, util-linux for the file system, dd for wiping. Every scriptlet runs
// with a context that executes its argv (LC_ALL=C). With RECORD_GOLDENS=1 each run is written
// as a golden (golden/<tool>-<version>/<op>-<case>.json). Teardown always unmounts and detaches
// what this test made, by path.
import t from 'tap';
import { execa } from 'execa';
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import semver from 'semver';
import { realCtx } from '../helpers/ctx.js';
import type { ScriptletDef, ScriptletResult } from '../../../runner/scriptlet/api.js';
import { normalizeVersion } from '../../../runner/probe/version.js';
import { partedProbe } from '../../../runner/probe/tools/parted.js';
import { utilLinuxProbe } from '../../../runner/probe/tools/util-linux.js';
import { coreutilsProbe } from '../../../runner/probe/tools/coreutils.js';
import type { Volume } from '../../../runner/contracts/generated.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const record = process.env['RECORD_GOLDENS'] === '1';
const MiB = 1048576;

async function version(probe: { binary: string | null; args: readonly string[]; parse(o: string, e: string): string | null }): Promise<string | null> {
  const r = await execa(probe.binary as string, [...probe.args], { reject: false });
  return probe.parse(String(r.stdout), String(r.stderr));
}

const SERIES: Record<string, string[]> = { parted: ['parted-1.8', 'parted-3', 'parted-3.5'], 'util-linux': ['util-linux-2'], coreutils: ['coreutils-8'] };

async function pick(tool: string, ver: string, file: string): Promise<{ def: ScriptletDef; name: string }> {
  const norm = normalizeVersion(ver) as string;
  for (const s of SERIES[tool] ?? []) {
    const mod = (await import(join(root, 'dist', 'scriptlets', s, `${file}.js`)).catch(() => null)) as { default: ScriptletDef } | null;
    if (mod && semver.satisfies(norm, mod.default.versions)) return { def: mod.default, name: `${s}/${file}` };
  }
  throw new Error(`no ${tool} scriptlet for ${file} at ${ver}`);
}

const skip = process.getuid?.() !== 0 ? 'needs root for loop devices' : false;

t.test('disk and fs pools on a loop device', { skip }, async (t) => {
  const versions: Record<string, string> = {
    parted: (await version(partedProbe)) as string,
    'util-linux': (await version(utilLinuxProbe)) as string,
    coreutils: (await version(coreutilsProbe)) as string
  };
  const dir = mkdtempSync('/tmp/sa-disk-test-');
  const img = join(dir, 'disk.img');
  const mnt = join(dir, 'mnt');
  await execa('truncate', ['-s', '512M', img]);
  const loop = String((await execa('losetup', ['-fP', '--show', img])).stdout).trim();
  t.teardown(async () => {
    await execa('umount', [mnt], { reject: false });
    await execa('losetup', ['-d', loop], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });
  t.match(loop, /^\/dev\/loop\d+$/);
  const part = (n: number) => `${loop}p${n}`;

  async function op<T>(tool: string, file: string, kase: string, input: Record<string, unknown>, fsRoot: string | null = null): Promise<ScriptletResult<T>> {
    const { def, name } = await pick(tool, versions[tool] as string, file);
    const ctx = realCtx(versions[tool] as string, { fsRoot });
    const res = (await def.run(ctx, input as never)) as ScriptletResult<T>;
    if (record) {
      const outDir = join(root, 'golden', `${tool}-${versions[tool]}`);
      mkdirSync(outDir, { recursive: true });
      const result = res.ok ? res : { ok: false, error: { code: res.error.code, message: res.error.message } };
      const golden = {
        scriptlet: name, tool, version: versions[tool], case: kase,
        source: `recorded live by test/scriptlets/parted/real-loop.test.ts on Debian 12 (parted ${versions['parted']}, util-linux ${versions['util-linux']}, coreutils ${versions['coreutils']}), loop device over a sparse 512 MiB image`,
        host: { deviceMapper: false, root: true }, fsRoot, dryRun: false, operation: def.operation, input, calls: ctx.calls, result
      };
      writeFileSync(join(outDir, `${file}-${kase}.json`), `${JSON.stringify(golden, null, 2)}\n`);
    }
    return res;
  }
  const code = (r: ScriptletResult<unknown>) => (r.ok ? 'ok' : r.error.code);

  const pool = { name: 'loopdisk', uuid: '0b3c53c2-5d1e-4f0a-8f4e-3c0a2e9b7d10', type: 'disk', source: { devices: [{ path: loop }], format: 'gpt' }, target: { path: '/dev' } };

  t.equal(code(await op('parted', 'pool-start', 'not-built', { pool })), 'INVALID_ARGUMENT', 'start before build');
  t.equal(code(await op('parted', 'pool-build', 'gpt', { pool, overwrite: false })), 'ok', 'build gpt');
  t.equal(code(await op('parted', 'pool-build', 'already-built', { pool, overwrite: false })), 'ALREADY_BUILT', 'build twice');
  t.equal(code(await op('parted', 'pool-start', 'gpt', { pool })), 'ok', 'start');

  const made: Volume[] = [];
  for (const [i, [cap, format]] of ([[64 * MiB, 'linux'], [32 * MiB, 'linux-lvm'], [48 * MiB, 'none']] as const).entries()) {
    const r = await op<{ volume: Volume }>('parted', 'vol-create', `gpt-${i + 1}`, { pool, name: `p${i + 1}`, capacity: cap, format });
    if (!r.ok) throw new Error(`create ${i + 1}: ${r.error.message}`);
    made.push(r.value.volume);
    t.equal(r.value.volume.path, part(i + 1), `partition ${i + 1} named like its node`);
    t.equal(r.value.volume.capacity, cap);
    t.equal((r.value.volume.extra?.['start'] as number) % MiB, 0, 'aligned to 1 MiB');
    t.ok(existsSync(part(i + 1)), `${part(i + 1)} exists`);
  }
  t.equal(made[1]?.format, 'linux-lvm', 'lvm flag set');
  t.equal(code(await op('parted', 'vol-create', 'no-space', { pool, name: 'huge', capacity: 1024 * MiB })), 'NO_SPACE');
  t.equal(code(await op('parted', 'vol-create', 'bad-format', { pool, name: 'x', capacity: MiB, format: 'qcow2' })), 'INVALID_ARGUMENT');

  const list = await op<{ volumes: Volume[] }>('parted', 'vol-list', 'gpt-3', { pool });
  t.same(list.ok && list.value.volumes.map((v) => v.name), [1, 2, 3].map((n) => part(n).slice(5)));
  const got = await op<{ volume: Volume }>('parted', 'vol-get', 'gpt', { pool, name: part(2).slice(5) });
  t.equal(got.ok && got.value.volume.key, part(2));

  const ref = await op<{ sizes: { capacity: number; allocation: number; available: number }; source: { devices: { freeExtents?: { start: number; end: number }[] }[] } }>('parted', 'pool-refresh', 'gpt-3', { pool });
  if (!ref.ok) throw new Error(ref.error.message);
  t.equal(ref.value.sizes.capacity, 512 * MiB);
  t.equal(ref.value.sizes.allocation, 144 * MiB);
  t.ok(ref.value.sizes.available > 300 * MiB && ref.value.sizes.available < 368 * MiB, 'available');
  t.ok((ref.value.source.devices[0]?.freeExtents ?? []).length >= 2, 'free extents');

  const p3 = made[2] as Volume;
  const grown = await op<{ volume: Volume }>('parted', 'vol-resize', 'grow', { pool, volume: p3, capacity: 96 * MiB, shrink: false });
  t.equal(grown.ok && grown.value.volume.capacity, 96 * MiB, 'grown');
  t.equal(code(await op('parted', 'vol-resize', 'shrink-refused', { pool, volume: p3, capacity: 16 * MiB, shrink: false })), 'INVALID_ARGUMENT');
  const shrunk = await op<{ volume: Volume }>('parted', 'vol-resize', 'shrink', { pool, volume: p3, capacity: 16 * MiB, shrink: true });
  t.equal(shrunk.ok && shrunk.value.volume.capacity, 16 * MiB, 'shrunk');
  t.equal(code(await op('parted', 'vol-resize', 'no-space', { pool, volume: made[0], capacity: 80 * MiB, shrink: false })), 'NO_SPACE', 'p1 cannot grow into p2');

  t.equal(code(await op('parted', 'vol-delete', 'gpt', { pool, volume: made[1] })), 'ok', 'delete p2');
  t.notOk(existsSync(part(2)), `${part(2)} is gone`);
  const after = await op<{ volumes: Volume[] }>('parted', 'vol-list', 'gpt-after-delete', { pool });
  t.same(after.ok && after.value.volumes.map((v) => v.path), [part(1), part(3)]);
  t.equal(code(await op('parted', 'vol-delete', 'missing', { pool, volume: made[1] })), 'NO_VOLUME');

  const wiped = await op('coreutils', 'vol-wipe', 'zero', { pool, volume: shrunk.ok ? shrunk.value.volume : p3, algorithm: 'zero' });
  t.equal(code(wiped), 'ok', 'wipe p3');

  // An fs pool on partition 1.
  const fsPool = { name: 'loopfs', uuid: '6a0f9d1e-2c4b-4e7a-9b1d-5e8c7f3a2b19', type: 'fs', source: { devices: [{ path: part(1) }], format: 'ext4' }, target: { path: mnt } };
  t.equal(code(await op('util-linux', 'pool-build', 'ext4', { pool: fsPool, overwrite: false }, mnt)), 'ok', 'mkfs ext4');
  t.ok(existsSync(mnt), 'target made');
  t.equal(code(await op('util-linux', 'pool-build', 'already-built', { pool: fsPool, overwrite: false }, mnt)), 'ALREADY_BUILT');
  const blk = await execa('blkid', ['-p', '-o', 'value', '-s', 'TYPE', part(1)]);
  t.equal(String(blk.stdout).trim(), 'ext4');
  t.equal(code(await op('util-linux', 'pool-start', 'ext4', { pool: fsPool }, mnt)), 'ok', 'mounted');
  const fm = await execa('findmnt', ['-n', '-o', 'SOURCE', '--mountpoint', mnt], { reject: false });
  t.equal(String(fm.stdout).trim(), part(1), 'findmnt shows it');
  t.equal(code(await op('util-linux', 'pool-start', 'already-mounted', { pool: fsPool }, mnt)), 'ok', 'start twice');
  t.equal(code(await op('util-linux', 'pool-build', 'mounted', { pool: fsPool, overwrite: true }, mnt)), 'POOL_BUSY', 'mkfs on a mounted fs');
  const found = await op<{ sources: { devices: { path: string }[]; format?: string }[] }>('util-linux', 'pool-find-sources', 'device', { type: 'fs', device: part(1) });
  t.same(found.ok && found.value.sources, [{ devices: [{ path: part(1) }], format: 'ext4' }]);
  t.equal(code(await op('util-linux', 'pool-stop', 'ext4', { pool: fsPool }, mnt)), 'ok', 'unmounted');
  const fm2 = await execa('findmnt', ['-n', '--mountpoint', mnt], { reject: false });
  t.equal(fm2.exitCode, 1, 'nothing mounted');
  t.equal(code(await op('util-linux', 'pool-stop', 'not-mounted', { pool: fsPool }, mnt)), 'ok', 'stop twice');
  t.equal(code(await op('util-linux', 'pool-delete', 'fs', { pool: fsPool }, mnt)), 'ok', 'wipefs');
  t.notOk(existsSync(mnt), 'target removed');
  const blk2 = await execa('blkid', ['-p', '-o', 'export', part(1)], { reject: false });
  t.notMatch(String(blk2.stdout), /^TYPE=/m, 'no file system signature left');

  // msdos: primary, extended, logical.
  const dos = { ...pool, source: { devices: [{ path: loop }], format: 'dos' } };
  t.equal(code(await op('parted', 'pool-build', 'dos-overwrite', { pool: dos, overwrite: true })), 'ok', 'relabel dos');
  const d1 = await op<{ volume: Volume }>('parted', 'vol-create', 'dos-primary', { pool: dos, name: 'a', capacity: 16 * MiB });
  const d2 = await op<{ volume: Volume }>('parted', 'vol-create', 'dos-extended', { pool: dos, name: 'b', capacity: 128 * MiB, format: 'extended' });
  const d5 = await op<{ volume: Volume }>('parted', 'vol-create', 'dos-logical', { pool: dos, name: 'c', capacity: 16 * MiB, extra: { partType: 'logical' } });
  const d6 = await op<{ volume: Volume }>('parted', 'vol-create', 'dos-logical-2', { pool: dos, name: 'd', capacity: 16 * MiB, format: 'linux-swap' });
  t.same([d1, d2, d5, d6].map((r) => (r.ok ? [r.value.volume.path, r.value.volume.extra?.['partType']] : r.error.message)), [
    [part(1), 'primary'],
    [part(2), 'extended'],
    [part(5), 'logical'],
    [part(6), 'logical']
  ]);
  const dl = await op<{ volumes: Volume[] }>('parted', 'vol-list', 'dos', { pool: dos });
  t.same(dl.ok && dl.value.volumes.map((v) => v.format), ['none', 'extended', 'none', 'linux-swap']);
  t.equal(code(await op('coreutils', 'vol-wipe', 'extended', { pool: dos, volume: d2.ok && d2.value.volume, algorithm: 'zero' })), 'INVALID_ARGUMENT', 'no wiping an extended partition');
  t.equal(code(await op('parted', 'vol-delete', 'extended-busy', { pool: dos, volume: d2.ok && d2.value.volume })), 'POOL_BUSY');
  t.equal(code(await op('parted', 'vol-delete', 'dos-logical', { pool: dos, volume: d5.ok && d5.value.volume })), 'ok');
  // Logical 6 is now 5: the old volume of 6 no longer exists, and its path now names it.
  t.equal(code(await op('parted', 'vol-delete', 'renumbered', { pool: dos, volume: d6.ok && d6.value.volume })), 'NO_VOLUME');

  t.equal(code(await op('util-linux', 'pool-delete', 'disk', { pool: dos })), 'ok', 'label wiped');
  t.equal(code(await op('parted', 'pool-start', 'after-delete', { pool: dos })), 'INVALID_ARGUMENT', 'no label after delete');
});
