import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classifyLvmFailure, firstReason, isNoise } from '../../../scriptlets/lib/lvm-errors.js';

const r = (stderr: string, exitCode = 5) => ({ stdout: '', stderr, exitCode });
const ACT = '  WARNING: Activation disabled. No device-mapper interaction will be attempted.\n';
const FD = 'File descriptor 10 (/dev/null) leaked on lvcreate invocation. Parent PID 123: node\n';

t.test('messages of every series, old and new wording', async (t) => {
  const cases: [string, string, string][] = [
    // Recorded (shared/recordings/lvm2-*).
    ['Volume group "vgrec" has insufficient free space (3 extents): 256 required.', 'lv', 'NO_SPACE'],
    ['Insufficient free space: 256 extents needed, but only 8 available', 'lv', 'NO_SPACE'],
    ['Logical Volume "lvdata" already exists in volume group "vgrec"', 'lv', 'VOLUME_EXISTS'],
    ['Logical volume "lvdata" already exists in volume group "vgrec"', 'lv', 'VOLUME_EXISTS'],
    ['One or more specified logical volume(s) not found.', 'lv', 'NO_VOLUME'],
    ['Failed to find logical volume "vgrec/lvnope"', 'lv', 'NO_VOLUME'],
    ['Volume group "vgmissing" not found\n  Cannot process volume group vgmissing', 'report', 'NO_POOL'],
    ['Volume group "vgrec" not found', 'vg', 'NO_POOL'],
    ['No physical volume label read from /dev/loop0\n  Physical Volume /dev/loop0 not found', 'pv', 'GONE'],
    ['No PV label found on /dev/loop0.', 'pv', 'GONE'],
    ['No PV found on device /dev/loop0.', 'pv', 'GONE'],
    ['Failed to read lvm info for /dev/loop0 PVID .', 'pv', 'GONE'],
    ["Can't wipe start of new LV without using device-mapper kernel driver.", 'lv', 'UNSUPPORTED'],
    // Seen on this host's lvm2 2.03.16.
    ['Can\'t initialize physical volume "/dev/loop0" of volume group "vgexp1" without -ff\n  /dev/loop0: physical volume not initialized.', 'pv', 'POOL_BUSY'],
    ['A volume group called vgexp1 already exists.', 'vg', 'POOL_EXISTS'],
    ['WARNING: ext4 signature detected on /dev/loop1 at offset 1080. Wipe it? [y/n]: [n]\n  Aborted wiping of ext4.\n  1 existing signature left on the device.', 'pv', 'ALREADY_BUILT'],
    ['Do you really want to remove volume group "vgexp1" containing 1 logical volumes? [y/n]: [n]\n  Volume group "vgexp1" not removed', 'vg', 'POOL_BUSY'],
    ['Existing logical volume "lv2" not found in volume group "vgexp1"', 'lv', 'NO_VOLUME'],
    ["Can't create thin-pool without using device-mapper kernel driver.", 'lv', 'UNSUPPORTED'],
    ["Can't create snapshot without using device-mapper kernel driver.", 'lv', 'UNSUPPORTED'],
    ['thin-pool: Required device-mapper target(s) not detected in your kernel.', 'lv', 'UNSUPPORTED'],
    ['No device found for /dev/nonexistent.', 'pv', 'INVALID_ARGUMENT'],
    ['Logical volume name "bad:name" is invalid.', 'lv', 'INVALID_ARGUMENT'],
    // Documented lvm2 messages.
    ['New size (10 extents) matches existing size (10 extents).', 'lv', 'SAME_SIZE'],
    ['Logical volume vg/lv in use.', 'lv', 'POOL_BUSY'],
    ["Can't remove open logical volume \"lv\"", 'lv', 'POOL_BUSY'],
    ['Physical volume "/dev/sdb" is already in volume group "vg0"', 'pv', 'POOL_BUSY']
  ];
  for (const [msg, kind, code] of cases) {
    const c = classifyLvmFailure(r(`${FD}${ACT}  ${msg}\n`), kind as never);
    t.equal(c?.code, code, msg);
  }
});

t.test('warnings and notices are never the reason', async (t) => {
  t.ok(isNoise('  WARNING: Device for PV abc not found or rejected by a filter.'));
  t.ok(isNoise('File descriptor 251 (pipe:[16923]) leaked on lvm invocation. Parent PID 12299: bash'));
  t.ok(isNoise('  WARNING: Failed to connect to lvmetad. Falling back to device scanning.'));
  t.notOk(isNoise('  Insufficient free space: 2 extents needed, but only 1 available'));
  // A warning that says "not found" must not make a NO_POOL out of an unknown failure.
  t.equal(classifyLvmFailure(r(`${ACT}  WARNING: Device for PV xyz not found or rejected by a filter.\n  something else broke\n`), 'lv'), null);
  t.equal(firstReason(r(`${FD}${ACT}  something else broke\n`)), 'something else broke');
  t.equal(firstReason(r(`${FD}${ACT}`)), '');
  // pvremove's "not a PV" answers only count for pv commands.
  t.equal(classifyLvmFailure(r('  No PV label found on /dev/loop0.\n'), 'lv'), null);
});

t.test('every failed call in the goldens maps to its golden code', async (t) => {
  const GOLDEN = new URL('../../../../golden/', import.meta.url).pathname;
  let n = 0;
  for (const dir of readdirSync(GOLDEN).filter((d) => d.startsWith('lvm2-'))) {
    for (const f of readdirSync(join(GOLDEN, dir))) {
      const g = JSON.parse(readFileSync(join(GOLDEN, dir, f), 'utf8')) as { calls: { exitCode: number; stdout: string; stderr: string; argv: string[] }[]; result: { ok: boolean; error?: { code: string } } };
      const last = g.calls[g.calls.length - 1];
      if (g.result.ok || !last || last.exitCode === 0) continue;
      const kind = last.argv[0]?.startsWith('pv') ? 'pv' : last.argv[0]?.startsWith('vg') ? 'vg' : 'lv';
      t.equal(classifyLvmFailure(last, kind)?.code, g.result.error?.code, `${dir}/${f}`);
      n++;
    }
  }
  t.ok(n >= 10, `${n} recorded failures`);
});
