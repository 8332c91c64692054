// The scriptlet for this machine's lsblk against the real tool: a GPT loop device with two
// partitions (one mounted on a path with characters lsblk escapes) and a read-only loop device are
// attached, listed and detached again. The pairs and string-JSON series' argv are run against the
// same lsblk too (today's lsblk still takes them), and must agree on these devices (a series that
// relies on lsblk's default columns must refuse today's different defaults).
import t from 'tap';
import { execa } from 'execa';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HostVolume } from '../../../runner/contracts/generated.js';
import { lsblkProbe } from '../../../runner/probe/tools/lsblk.js';
import { FIXED_ENV, attachGptLoop, canUseLoopDevices, realContext } from './helpers.js';
import { SERIES, seriesFor } from './series.js';

const why = await canUseLoopDevices();
if (why) {
  t.test('real lsblk', { skip: `needs root and loop devices: ${why}` }, async () => undefined);
} else {
  const v = await execa('lsblk', ['--version'], { env: FIXED_ENV, extendEnv: false });
  const version = lsblkProbe.parse(String(v.stdout), '') as string;
  const series = seriesFor(version);

  t.test(`lsblk ${version} lists attached loop devices`, async (t) => {
    t.ok(version, 'probe reads the installed lsblk');
    t.ok(series, `a series serves lsblk ${version}`);
    if (!series) return;
    t.equal(series.id, 'lsblk-2.33/host-list-volumes', 'today\'s lsblk is served by the typed-JSON series');
    const fx = await attachGptLoop({ mount: false, readOnly: true });
    t.teardown(() => fx.cleanup());
    // An ext4 on p1, mounted where the path needs escaping in -P output.
    await execa('mkfs.ext4', ['-q', '-F', fx.partitions[0] as string], { env: FIXED_ENV, extendEnv: false });
    const mnt = join(fx.dir, 'mnt "q" $x é');
    mkdirSync(mnt);
    await execa('mount', [fx.partitions[0] as string, mnt], { env: FIXED_ENV, extendEnv: false });
    t.teardown(async () => {
      await execa('umount', [mnt], { env: FIXED_ENV, extendEnv: false, reject: false });
    });
    const disk = fx.disk.replace('/dev/', '');
    const ro = (fx.readOnly as string).replace('/dev/', '');

    const r = await execa(series.argv()[0] as string, series.argv().slice(1), { env: FIXED_ENV, extendEnv: false, reject: false });
    t.equal(r.exitCode, 0, 'lsblk ran');
    const parsed = series.parse(String(r.stdout));
    t.ok(parsed.ok, 'parsed');
    if (!parsed.ok) return;
    const mine = (vols: HostVolume[]) => vols.filter((x) => x.name === disk || x.name.startsWith(`${disk}p`) || x.name === ro);
    const byName = (a: HostVolume, b: HostVolume) => a.name.localeCompare(b.name);
    const expected: HostVolume[] = [
      { name: disk, path: fx.disk, type: 'loop', size: fx.sizes.disk, readOnly: false },
      { name: `${disk}p1`, path: `/dev/${disk}p1`, type: 'part', size: fx.sizes.p1, mountpoint: mnt, parent: disk, readOnly: false },
      { name: `${disk}p2`, path: `/dev/${disk}p2`, type: 'part', size: fx.sizes.p2, parent: disk, readOnly: false },
      { name: ro, path: fx.readOnly as string, type: 'loop', size: fx.readOnlySize, readOnly: true }
    ];
    t.same(mine(parsed.value).sort(byName), expected.sort(byName), 'the attached devices with sizes, parent, mountpoint and read-only flag');
    t.ok(parsed.value.every((x) => Number.isSafeInteger(x.size) && x.path.startsWith('/dev/')), 'every device has a path and a byte size');
    t.equal(new Set(parsed.value.map((x) => x.path)).size, parsed.value.length, 'each device once');

    // The scriptlet itself, through a context that runs the real command.
    const rc = realContext(version);
    const run = await series.def.run(rc.ctx, {});
    t.same(rc.calls.map((c) => c.argv), [series.argv()], 'the scriptlet ran exactly its argv');
    t.ok(run.ok, 'scriptlet succeeded');
    if (run.ok) t.same(mine(run.value.volumes), mine(parsed.value), 'scriptlet result');

    // The older series' argv on today's lsblk: same devices, same facts where they ask for them.
    for (const old of SERIES.filter((s) => s !== series)) {
      const o = await execa(old.argv()[0] as string, old.argv().slice(1), { env: FIXED_ENV, extendEnv: false, reject: false });
      t.equal(o.exitCode, 0, `${old.id}: argv accepted by lsblk ${version}`);
      const op = old.parse(String(o.stdout));
      if (!old.explicitColumns) {
        // No -o: lsblk prints its own release's default columns; the series reads only its own.
        const keys = [...String(o.stdout).split('\n')[0]!.matchAll(/(?:^| )([A-Z][A-Z0-9_:%.-]*)="/g)].map((m) => m[1]);
        if (keys.join(',') !== old.columns.join(',')) {
          t.notOk(op.ok, `${old.id}: lsblk ${version}'s default columns (${keys.join(',')}) are refused, not misread`);
          continue;
        }
      }
      t.ok(op.ok, `${old.id}: parsed`);
      if (!op.ok) continue;
      const strip = (x: HostVolume) => {
        const y: HostVolume = { ...x };
        if (!old.columns.includes('RO')) delete y.readOnly;
        if (!old.columns.includes('FSTYPE')) delete y.fstype;
        if (!old.columns.includes('PKNAME') && old.form === 'pairs') delete y.parent;
        return y;
      };
      t.same(mine(op.value).sort(byName), mine(parsed.value).map(strip).sort(byName), `${old.id}: agrees on the attached devices`);
    }
  });
}
