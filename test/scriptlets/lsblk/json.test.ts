// lsblk --json parsing: the string-valued JSON of 2.27..2.32 and the typed JSON of 2.33+, against
// the recordings, plus the cases the recordings do not show (DM paths, shared children, bad values).
import t from 'tap';
import { devicePath, parseJsonVolumes, toBytes, toFlag } from '../../../scriptlets/lib/lsblk.js';
import { parseListVolumes as parse27 } from '../../../scriptlets/lsblk-2.27/host-list-volumes.js';
import { parseListVolumes as parse33 } from '../../../scriptlets/lsblk-2.33/host-list-volumes.js';
import { haveRecordings, loadRecording } from './helpers.js';

const MiB = 1024 * 1024;

t.test('2.27 series on the recorded whole-host listings', { skip: haveRecordings() ? false : 'recordings not found' }, async (t) => {
  for (const v of ['2.27.1', '2.31.1', '2.32.1', '2.33.1']) {
    const r = parse27(loadRecording(v, '12-json-all-devices.json').stdout);
    t.ok(r.ok, `${v}: parsed`);
    if (!r.ok) continue;
    const partType = v === '2.33.1' ? 'part' : 'loop';
    const sorted = [...r.value].sort((a, b) => a.name.localeCompare(b.name));
    t.same(sorted, [
      { name: 'loop0', path: '/dev/loop0', type: 'loop', size: 256 * MiB },
      { name: 'loop0p1', path: '/dev/loop0p1', type: partType, size: 100 * MiB, mountpoint: '/tmp/rec/mnt-data', parent: 'loop0' },
      { name: 'loop0p2', path: '/dev/loop0p2', type: partType, size: 64 * MiB, parent: 'loop0' },
      { name: 'loop1', path: '/dev/loop1', type: 'loop', size: 128 * MiB },
      { name: 'loop1p1', path: '/dev/loop1p1', type: partType, size: 60 * MiB, parent: 'loop1' },
      { name: 'loop1p2', path: '/dev/loop1p2', type: partType, size: 1024, parent: 'loop1' },
      { name: 'loop1p5', path: '/dev/loop1p5', type: partType, size: 30 * MiB, parent: 'loop1' },
      { name: 'vda', path: '/dev/vda', type: 'disk', size: 274877906944, mountpoint: '/' }
    ], `${v}: every device once, flattened`);
    // Depth first: a child comes right after its parent or a sibling.
    r.value.forEach((vol, i) => {
      if (vol.parent) t.ok(r.value.slice(0, i).some((p) => p.name === vol.parent), `${v}: ${vol.name} after its parent`);
    });
  }
  const unsorted = parse27(loadRecording('2.27.1', '12-json-all-devices.json').stdout);
  t.same(unsorted.ok && unsorted.value.map((x) => x.name), ['loop1', 'loop1p2', 'loop1p5', 'loop1p1', 'loop0', 'loop0p1', 'loop0p2', 'vda'], '2.27.1 order kept as printed');
});

t.test('2.33 series on recorded typed JSON', { skip: haveRecordings() ? false : 'recordings not found' }, async (t) => {
  const r = parse33(loadRecording('2.33.1', '02-json-bytes-path.json').stdout);
  t.ok(r.ok);
  if (r.ok) {
    t.same(r.value.find((x) => x.name === 'loop0p1'), {
      name: 'loop0p1', path: '/dev/loop0p1', type: 'part', size: 100 * MiB, fstype: 'ext4', mountpoint: '/tmp/rec/mnt-data', parent: 'loop0'
    });
    t.same(r.value.find((x) => x.name === 'loop1p5'), { name: 'loop1p5', path: '/dev/loop1p5', type: 'part', size: 30 * MiB, fstype: 'ext4', parent: 'loop1' });
    t.equal(r.value.length, 7);
  }
  // -O: every column, typed booleans among them.
  const all = parse33(loadRecording('2.33.1', '13-json-all-columns.json').stdout);
  t.same(all.ok && all.value, [
    { name: 'loop0', path: '/dev/loop0', type: 'loop', size: 256 * MiB, readOnly: false },
    { name: 'loop0p1', path: '/dev/loop0p1', type: 'part', size: 100 * MiB, fstype: 'ext4', mountpoint: '/tmp/rec/mnt-data', parent: 'loop0', readOnly: false },
    { name: 'loop0p2', path: '/dev/loop0p2', type: 'part', size: 64 * MiB, fstype: 'swap', parent: 'loop0', readOnly: false }
  ]);
  // Without PATH the 2.33 reader refuses rather than guessing.
  const noPath = parse33(loadRecording('2.33.1', '03-json-bytes.json').stdout);
  t.equal(noPath.ok, false, '2.33 series needs the PATH column');
  if (!noPath.ok) t.match(noPath.message, /no path/);
  // Without --bytes sizes are "256M": refused, never guessed.
  const human = parse27(loadRecording('2.33.1', '07-json-default.json').stdout);
  t.equal(human.ok, false, 'human-readable sizes are refused');
  if (!human.ok) t.match(human.message, /256M/);
  const human31 = parse27(loadRecording('2.31.1', '07-json-default.json').stdout);
  t.equal(human31.ok, false, 'human-readable sizes are refused (2.31.1)');
  // 2.27..2.32 string flags are read by the same code.
  const ro = parseJsonVolumes(loadRecording('2.31.1', '03-json-bytes.json').stdout, { pathColumn: false });
  t.ok(ro.ok && ro.value.every((x) => x.readOnly === false), '"ro": "0" is false');
  t.ok(ro.ok && ro.value.find((x) => x.name === 'loop0p2')?.fstype === 'swap');
});

t.test('JSON shapes the recordings do not show', async (t) => {
  const lv = {
    name: 'vg-lv', path: '/dev/mapper/vg-lv', size: 900, type: 'lvm', fstype: 'xfs', mountpoint: '/srv', ro: false
  };
  const doc = {
    blockdevices: [
      { name: 'sda', path: '/dev/sda', size: 1000, type: 'disk', fstype: null, mountpoint: null, ro: false, children: [lv] },
      { name: 'sdb', path: '/dev/sdb', size: 1000, type: 'disk', fstype: null, mountpoint: null, ro: false, children: [lv] },
      { name: 'sr0', path: '/dev/sr0', size: 0, type: 'rom', fstype: null, mountpoint: null, ro: true, children: [] }
    ]
  };
  const r = parse33(JSON.stringify(doc));
  t.same(r, {
    ok: true,
    value: [
      { name: 'sda', path: '/dev/sda', type: 'disk', size: 1000, readOnly: false },
      { name: 'vg-lv', path: '/dev/mapper/vg-lv', type: 'lvm', size: 900, fstype: 'xfs', mountpoint: '/srv', parent: 'sda', readOnly: false },
      { name: 'sdb', path: '/dev/sdb', type: 'disk', size: 1000, readOnly: false },
      { name: 'sr0', path: '/dev/sr0', type: 'rom', size: 0, readOnly: true }
    ]
  }, 'an LV on two PVs is listed once, under the first');
  t.same(parse33('{"blockdevices": []}'), { ok: true, value: [] });

  const old = parse27(JSON.stringify({
    blockdevices: [
      { name: 'sda', size: '1000', type: 'disk', mountpoint: null, children: [
        { name: 'sda2', size: '900', type: 'part', mountpoint: null, children: [
          { name: 'vg-root', size: '800', type: 'lvm', mountpoint: '/' },
          { name: 'luks-1', size: '50', type: 'crypt', mountpoint: null }
        ] }
      ] },
      { name: 'md0', size: '10', type: 'raid1', mountpoint: null },
      { name: 'mpatha', size: '5', type: 'mpath', mountpoint: null }
    ]
  }));
  t.same(old.ok && old.value.map((x) => [x.name, x.path, x.parent ?? null]), [
    ['sda', '/dev/sda', null],
    ['sda2', '/dev/sda2', 'sda'],
    ['vg-root', '/dev/mapper/vg-root', 'sda2'],
    ['luks-1', '/dev/mapper/luks-1', 'sda2'],
    ['md0', '/dev/md0', null],
    ['mpatha', '/dev/mapper/mpatha', null]
  ], 'paths of DM devices without the PATH column');

  for (const [text, why] of [
    ['not json', /not JSON/],
    ['{"devices": []}', /blockdevices/],
    ['{"blockdevices": [{"size": 1, "type": "disk", "path": "/dev/x"}]}', /no name/],
    ['{"blockdevices": [{"name": "x", "size": 1, "path": "/dev/x"}]}', /no type/],
    ['{"blockdevices": [{"name": "x", "size": -1, "type": "disk", "path": "/dev/x"}]}', /out of range/],
    ['{"blockdevices": [{"name": "x", "size": 18446744073709551615, "type": "disk", "path": "/dev/x"}]}', /out of range/],
    ['{"blockdevices": [{"name": "x", "size": 1, "type": "disk", "path": "/dev/x", "ro": "maybe"}]}', /flag/],
    ['{"blockdevices": [{"name": "x", "size": 1, "type": "disk", "path": "/dev/x", "children": {}}]}', /children/],
    ['{"blockdevices": [{"name": "x", "size": 1, "type": "disk", "path": "/dev/x", "mountpoint": 5}]}', /mountpoint/]
  ] as const) {
    const bad = parse33(text);
    t.equal(bad.ok, false, `refused: ${text}`);
    if (!bad.ok) t.match(bad.message, why);
  }
});

t.test('value helpers', async (t) => {
  t.same(toBytes(5, 'x'), { ok: true, value: 5 });
  t.same(toBytes('5', 'x'), { ok: true, value: 5 });
  t.same(toBytes(null, 'x'), { ok: true, value: 0 });
  t.same(toBytes('', 'x'), { ok: true, value: 0 });
  t.equal(toBytes('5K', 'x').ok, false);
  t.equal(toBytes(1.5, 'x').ok, false);
  t.equal(toBytes('9007199254740993', 'x').ok, false);
  t.same(toFlag(true, 'x'), { ok: true, value: true });
  t.same(toFlag('1', 'x'), { ok: true, value: true });
  t.same(toFlag('0', 'x'), { ok: true, value: false });
  t.same(toFlag(null, 'x'), { ok: true, value: undefined });
  t.equal(devicePath('sda', {}), '/dev/sda');
  t.equal(devicePath('vg-lv', { kname: 'dm-3' }), '/dev/mapper/vg-lv');
  t.equal(devicePath('vg-lv', { type: 'lvm' }), '/dev/mapper/vg-lv');
  t.equal(devicePath('nvme0n1p1', { kname: 'nvme0n1p1', type: 'part' }), '/dev/nvme0n1p1');
  t.equal(devicePath('cciss!c0d0', { type: 'disk' }), '/dev/cciss/c0d0');
});
