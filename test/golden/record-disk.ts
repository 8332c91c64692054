// Records the disk, fs and netfs backends' goldens from the real tools of this machine (parted,
// util-linux, coreutils) through the agent's record mode: every request goes through the service
// (dispatch), exactly as over JSON-RPC, on loop devices over sparse images.
// `npm run build && node dist/test/golden/record-disk.js [OUT]` (OUT defaults to golden/). Not a
// test: run it as root when a scriptlet changes or a new tool version arrives. The folders of this
// machine's parted, util-linux and coreutils versions in OUT are replaced as a whole; runs of other
// tools on the way (posix, qemu-img for fs pool volumes) are not kept.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { execa } from 'execa';
import { createRuntime } from '../../runner/runtime.js';
import { createService, detachedCall } from '../../runner/service/context.js';
import { dispatch } from '../../runner/service/dispatch.js';
import { GOLDEN_DIR } from '../helpers/paths.js';

const MiB = 1048576;
const KEEP = /^(parted|util-linux|coreutils)-/;
const out = process.argv[2] ?? GOLDEN_DIR;
const work = mkdtempSync(join(tmpdir(), 'sa-record-disk-'));
const recorded = join(work, 'recorded');
const rt = await createRuntime({ home: join(work, 'home'), recordDir: recorded });
const svc = createService(rt);
const loops: string[] = [];
const mounts: string[] = [];

async function attach(size: string, name: string, partitions: boolean): Promise<string> {
  const img = join(work, name);
  await execa('truncate', ['-s', size, img]);
  const dev = String((await execa('losetup', [...(partitions ? ['-P'] : []), '-f', '--show', img])).stdout).trim();
  loops.push(dev);
  return dev;
}

async function step(name: string, method: string, params: object, expect: 'ok' | string = 'ok', record = true): Promise<unknown> {
  process.env['STORAGE_AGENT_RECORD_CASE'] = name;
  // The method's own operation (vol.* methods look the volume up with vol.get first; pool.start
  // and pool.refresh read the sizes with pool.refresh).
  process.env['STORAGE_AGENT_RECORD_OPS'] = record ? (method.startsWith('pool.') ? `${method},pool.refresh` : method) : 'none';
  const r = await dispatch(svc, detachedCall(), method, params);
  const got = r.ok ? 'ok' : r.error.code;
  if (got !== expect) throw new Error(`${name} ${method}: expected ${expect}, got ${got}${r.ok ? '' : `: ${r.error.message}`}`);
  process.stdout.write(`${name} ${method}: ${got}\n`);
  return r.ok ? r.value : null;
}

const nameOf = (v: unknown) => (v as { name: string }).name;
const vol = (pool: string, v: string) => ({ volume: { pool, vol: v } });

try {
  // --- disk pool, GPT ---------------------------------------------------------------------------
  const loop = await attach('512M', 'disk.img', true);
  const part = (n: number) => `${loop}p${n}`;
  const base = (n: number) => `${loop.slice('/dev/'.length)}p${n}`;
  await step('gpt', 'pool.define', { name: 'recdisk', type: 'disk', source: { devices: [{ path: loop }], format: 'gpt' }, target: { path: '/dev' } });
  await step('blank', 'pool.findSources', { type: 'disk', device: loop });
  await step('not-built', 'pool.start', { pool: 'recdisk' }, 'INVALID_ARGUMENT');
  await step('gpt', 'pool.build', { pool: 'recdisk' });
  await step('already-built', 'pool.build', { pool: 'recdisk' }, 'ALREADY_BUILT');
  await step('device', 'pool.findSources', { type: 'disk', device: loop });
  await step('gpt', 'pool.start', { pool: 'recdisk' });
  const p1 = await step('gpt-1', 'vol.create', { pool: 'recdisk', name: 'p1', capacity: 64 * MiB, format: 'linux' });
  await step('gpt-2', 'vol.create', { pool: 'recdisk', name: 'p2', capacity: 32 * MiB, format: 'linux-lvm' });
  await step('gpt-3', 'vol.create', { pool: 'recdisk', name: 'p3', capacity: 48 * MiB, format: 'none' });
  await step('no-space', 'vol.create', { pool: 'recdisk', name: 'huge', capacity: 1024 * MiB }, 'NO_SPACE');
  await step('bad-format', 'vol.create', { pool: 'recdisk', name: 'x', capacity: MiB, format: 'qcow2' }, 'INVALID_ARGUMENT');
  await step('gpt-3', 'vol.list', { pool: 'recdisk' });
  await step('gpt', 'vol.get', { pool: 'recdisk', vol: base(2) });
  await step('missing', 'vol.get', { pool: 'recdisk', vol: 'nope' }, 'NO_VOLUME');
  await step('gpt-3', 'pool.refresh', { pool: 'recdisk' });
  await step('grow', 'vol.resize', { ...vol('recdisk', base(3)), capacity: 96 * MiB });
  await step('shrink', 'vol.resize', { ...vol('recdisk', base(3)), capacity: 16 * MiB, shrink: true });
  await step('no-space', 'vol.resize', { ...vol('recdisk', nameOf(p1)), capacity: 80 * MiB }, 'NO_SPACE');
  await step('gpt', 'vol.delete', vol('recdisk', base(2)));
  await step('gpt-after-delete', 'vol.list', { pool: 'recdisk' });
  await step('zero', 'vol.wipe', { ...vol('recdisk', base(3)), algorithm: 'zero' });
  await step('random', 'vol.wipe', { ...vol('recdisk', base(3)), algorithm: 'random' });

  // --- fs pool (ext4) on partition 1 -------------------------------------------------------------
  const mnt = join(work, 'mnt');
  mounts.push(mnt);
  await step('ext4', 'pool.define', { name: 'recfs', type: 'fs', source: { devices: [{ path: part(1) }], format: 'ext4' }, target: { path: mnt } });
  await step('ext4', 'pool.build', { pool: 'recfs' });
  await step('already-built', 'pool.build', { pool: 'recfs' }, 'ALREADY_BUILT');
  await step('device', 'pool.findSources', { type: 'fs', device: part(1) });
  // Mounted behind the agent's back (an agent restarted after a crash): start finds it mounted.
  await execa('mount', [part(1), mnt]);
  await step('already-mounted', 'pool.start', { pool: 'recfs' });
  await step('ext4', 'pool.stop', { pool: 'recfs' });
  await step('ext4', 'pool.start', { pool: 'recfs' });
  // The disk pool may not touch the partition the running fs pool has mounted.
  await step('busy', 'vol.delete', vol('recdisk', base(1)), 'POOL_BUSY');
  await step('busy-grow', 'vol.resize', { ...vol('recdisk', base(1)), capacity: 80 * MiB }, 'POOL_BUSY');
  await step('busy-shrink', 'vol.resize', { ...vol('recdisk', base(1)), capacity: 32 * MiB, shrink: true }, 'POOL_BUSY');
  await step('busy', 'vol.wipe', vol('recdisk', base(1)), 'POOL_BUSY');
  await step('busy', 'pool.stop', { pool: 'recdisk' });
  await step('busy', 'pool.delete', { pool: 'recdisk' }, 'POOL_BUSY');
  await step('busy', 'pool.start', { pool: 'recdisk' }, 'ok', false);
  // A second pool on the same device, inactive, built over the mounted file system: mkfs refuses.
  await step('mounted', 'pool.define', { name: 'recfs2', type: 'fs', source: { devices: [{ path: part(1) }], format: 'ext4' }, target: { path: join(work, 'mnt2') } });
  await step('mounted', 'pool.build', { pool: 'recfs2', overwrite: true }, 'POOL_BUSY');
  await step('mounted', 'pool.undefine', { pool: 'recfs2' });
  // Unmounted behind the agent's back: stop has nothing to do.
  await execa('umount', [mnt]);
  await step('not-mounted', 'pool.stop', { pool: 'recfs' });
  await step('fs', 'pool.delete', { pool: 'recfs' });
  await step('fs', 'pool.undefine', { pool: 'recfs' });

  // --- disk pool, DOS: primary, extended, logical ------------------------------------------------
  await step('dos', 'pool.stop', { pool: 'recdisk' });
  await step('dos', 'pool.undefine', { pool: 'recdisk' });
  await step('dos', 'pool.define', { name: 'recdos', type: 'disk', source: { devices: [{ path: loop }], format: 'dos' }, target: { path: '/dev' } });
  await step('dos-overwrite', 'pool.build', { pool: 'recdos', overwrite: true });
  await step('dos', 'pool.start', { pool: 'recdos' });
  await step('dos-primary', 'vol.create', { pool: 'recdos', name: 'a', capacity: 16 * MiB });
  await step('dos-extended', 'vol.create', { pool: 'recdos', name: 'b', capacity: 128 * MiB, format: 'extended' });
  await step('dos-logical', 'vol.create', { pool: 'recdos', name: 'c', capacity: 16 * MiB });
  await step('dos-logical-2', 'vol.create', { pool: 'recdos', name: 'd', capacity: 16 * MiB, format: 'linux-swap' });
  await step('dos', 'vol.list', { pool: 'recdos' });
  await step('extended', 'vol.wipe', vol('recdos', base(2)), 'INVALID_ARGUMENT');
  await step('extended-busy', 'vol.delete', vol('recdos', base(2)), 'POOL_BUSY');
  await step('dos-logical', 'vol.delete', vol('recdos', base(5)));
  // Logical 6 is now 5: parted renumbers logical partitions.
  await step('dos-renumbered', 'vol.list', { pool: 'recdos' });
  await step('dos', 'pool.stop', { pool: 'recdos' });
  await step('disk', 'pool.delete', { pool: 'recdos' });
  await step('after-delete', 'pool.start', { pool: 'recdos' }, 'INVALID_ARGUMENT');
  await step('dos', 'pool.undefine', { pool: 'recdos' });

  // --- fs pool (xfs) on a whole loop device: mkfs.xfs wants 300 MB at least ----------------------
  const xloop = await attach('320M', 'xfs.img', false);
  const xmnt = join(work, 'xmnt');
  mounts.push(xmnt);
  await step('xfs', 'pool.define', { name: 'recxfs', type: 'fs', source: { devices: [{ path: xloop }], format: 'xfs' }, target: { path: xmnt } });
  await step('xfs', 'pool.build', { pool: 'recxfs' });
  await step('xfs', 'pool.start', { pool: 'recxfs' });
  await step('xfs-mounted', 'pool.define', { name: 'recxfs2', type: 'fs', source: { devices: [{ path: xloop }], format: 'xfs' }, target: { path: join(work, 'xmnt2') } });
  await step('xfs-mounted', 'pool.build', { pool: 'recxfs2', overwrite: true }, 'POOL_BUSY');
  await step('xfs-mounted', 'pool.undefine', { pool: 'recxfs2' });
  await step('xfs', 'pool.stop', { pool: 'recxfs' });
  await step('xfs', 'pool.undefine', { pool: 'recxfs' });

  // --- GPT whose backup header is not at the end (a grown image): parted warns ------------------
  const grown = join(work, 'grown.img');
  await execa('truncate', ['-s', '64M', grown]);
  await execa('parted', ['-s', grown, 'mklabel', 'gpt', 'mkpart', 'primary', '2048s', '10239s']);
  await execa('truncate', ['-s', '65M', grown]);
  await step('gpt-not-at-end', 'pool.define', { name: 'recgrown', type: 'disk', source: { devices: [{ path: grown }], format: 'gpt' }, target: { path: '/dev' } });
  await step('gpt-not-at-end', 'pool.start', { pool: 'recgrown' });
  await step('gpt-not-at-end', 'vol.list', { pool: 'recgrown' });
  await step('gpt-not-at-end', 'pool.stop', { pool: 'recgrown' });

  // --- netfs where this kernel has no NFS/CIFS client --------------------------------------------
  const fsTypes = readFileSync('/proc/filesystems', 'utf8');
  for (const [kase, format, source] of [
    ['nfs-no-client', 'nfs', { hosts: [{ name: 'localhost' }], dir: '/var/lib/libvirt/images', format: 'nfs' }],
    ['cifs-no-client', 'cifs', { hosts: [{ name: 'localhost' }], dir: 'samba_share', format: 'cifs' }]
  ] as const) {
    if (new RegExp(`\\b${format}\\b`).test(fsTypes)) {
      process.stdout.write(`${kase}: this kernel has ${format}; not recorded\n`);
      continue;
    }
    const target = join(work, kase);
    mounts.push(target);
    await step(kase, 'pool.define', { name: kase, type: 'netfs', source, target: { path: target } });
    await step(kase, 'pool.build', { pool: kase }, 'ok', false);
    await step(kase, 'pool.start', { pool: kase }, 'TOOL_MISSING');
  }

  // Keep only this area's tools, each version folder replaced as a whole.
  for (const d of readdirSync(recorded).filter((d) => KEEP.test(d))) {
    const dest = join(out, d);
    if (existsSync(dest)) rmSync(dest, { recursive: true });
    mkdirSync(dest, { recursive: true });
    cpSync(join(recorded, d), dest, { recursive: true });
    process.stdout.write(`wrote ${dest} (${readdirSync(dest).length} goldens)\n`);
  }
} finally {
  for (const m of mounts) await execa('umount', [m], { reject: false });
  for (const l of loops) await execa('losetup', ['-d', l], { reject: false });
  rt.sandbox.close();
  rmSync(work, { recursive: true, force: true });
}
