// lsblk -P parsing: escapes, the recorded pairs outputs of 2.27.1..2.33.1, unescaped values of the
// first -P releases, and the 2.20/2.23 series parsers.
import t from 'tap';
import { decodeLsblkEscapes, pairsToVolumes, parsePairs } from '../../../scriptlets/lib/lsblk.js';
import { parseListVolumes as parse20, COLUMNS as COLS20 } from '../../../scriptlets/lsblk-2.20/host-list-volumes.js';
import { parseListVolumes as parse23, COLUMNS as COLS23 } from '../../../scriptlets/lsblk-2.23/host-list-volumes.js';
import { haveRecordings, loadRecording } from './helpers.js';

const OLD = ['2.27.1', '2.31.1', '2.32.1', '2.33.1'];

t.test('decodeLsblkEscapes', async (t) => {
  t.equal(decodeLsblkEscapes('/mnt/plain'), '/mnt/plain');
  t.equal(decodeLsblkEscapes('/mnt/my\\x20disk'), '/mnt/my disk');
  // As lsblk 2.38.1 printed a mountpoint /tmp/x/mnt "q" $x é on this machine (-P form).
  t.equal(decodeLsblkEscapes('/tmp/x/mnt \\x22q\\x22 \\x24x \\xc3\\xa9'), '/tmp/x/mnt "q" $x é');
  t.equal(decodeLsblkEscapes('a\\x5cb'), 'a\\b');
  t.equal(decodeLsblkEscapes('tab\\x09end\\x0a'), 'tab\tend\n');
  // Not an escape: kept literally (older releases printed backslashes as they were).
  t.equal(decodeLsblkEscapes('c:\\xyz\\'), 'c:\\xyz\\');
  t.equal(decodeLsblkEscapes('\\x4'), '\\x4');
  // Mixed: a literal multibyte character next to escaped bytes.
  t.equal(decodeLsblkEscapes('é\\xc3\\xa9'), 'éé');
});

t.test('parsePairs on hand-made lines', async (t) => {
  const keys = ['NAME', 'SIZE', 'MOUNTPOINT'];
  const ok = parsePairs('NAME="sda" SIZE="10" MOUNTPOINT=""\nNAME="sda1" SIZE="5" MOUNTPOINT="/mnt/a\\x20b"\n', keys);
  t.same(ok, { ok: true, value: [{ NAME: 'sda', SIZE: '10', MOUNTPOINT: '' }, { NAME: 'sda1', SIZE: '5', MOUNTPOINT: '/mnt/a b' }] });
  t.same(parsePairs('', keys), { ok: true, value: [] }, 'no devices');
  t.same(parsePairs('NAME="x" SIZE="1" MOUNTPOINT="/m"', keys), { ok: true, value: [{ NAME: 'x', SIZE: '1', MOUNTPOINT: '/m' }] }, 'no final newline');
  // Unescaped quotes and backslashes (first -P releases printed values as they were).
  const raw = parsePairs('NAME="sdb" SIZE="1" MOUNTPOINT="/mnt/say "hi" x"\nNAME="sdc" SIZE="2" MOUNTPOINT="/a\\b"\n', keys);
  t.same(raw, { ok: true, value: [{ NAME: 'sdb', SIZE: '1', MOUNTPOINT: '/mnt/say "hi" x' }, { NAME: 'sdc', SIZE: '2', MOUNTPOINT: '/a\\b' }] });
  const quoteFirst = parsePairs('NAME="a "b" c" SIZE="1" MOUNTPOINT=""\n', keys);
  t.same(quoteFirst, { ok: true, value: [{ NAME: 'a "b" c', SIZE: '1', MOUNTPOINT: '' }] });

  const missing = parsePairs('NAME="sda" MOUNTPOINT=""\n', keys);
  t.equal(missing.ok, false, 'a missing key is an error');
  if (!missing.ok) t.match(missing.message, /SIZE/);
  const reordered = parsePairs('SIZE="1" NAME="sda" MOUNTPOINT=""\n', keys);
  t.equal(reordered.ok, false, 'keys out of order are an error');
  const cut = parsePairs('NAME="sda" SIZE="1" MOUNTPOINT="/mn', keys);
  t.equal(cut.ok, false, 'a cut line is an error');
  const junk = parsePairs('lsblk: something odd\n', keys);
  t.equal(junk.ok, false, 'text that is not pairs is an error');
  t.equal(parsePairs('NAME="a"\n', []).ok, false, 'no columns');
});

t.test('recorded -P outputs (2.27.1 .. 2.33.1)', { skip: haveRecordings() ? false : 'recordings not found' }, async (t) => {
  for (const v of OLD) {
    const rec = loadRecording(v, '04-pairs-bytes.json');
    const keys = (rec.argv[rec.argv.indexOf('-o') + 1] as string).split(',');
    const rows = parsePairs(rec.stdout, keys);
    t.ok(rows.ok, `${v}: parsed`);
    if (!rows.ok) continue;
    t.equal(rows.value.length, 7, `${v}: 7 devices`);
    const p1 = rows.value.find((r) => r.NAME === 'loop0p1');
    t.same(
      p1 && { SIZE: p1.SIZE, FSTYPE: p1.FSTYPE, LABEL: p1.LABEL, MOUNTPOINT: p1.MOUNTPOINT, PKNAME: p1.PKNAME, RO: p1.RO, 'MAJ:MIN': p1['MAJ:MIN'] },
      { SIZE: '104857600', FSTYPE: 'ext4', LABEL: 'recdata', MOUNTPOINT: '/tmp/rec/mnt-data', PKNAME: 'loop0', RO: '0', 'MAJ:MIN': '259:0' },
      `${v}: loop0p1`
    );
    const vols = pairsToVolumes(rows.value);
    t.ok(vols.ok, `${v}: volumes`);
    if (!vols.ok) continue;
    const byName = new Map(vols.value.map((x) => [x.name, x]));
    t.same(byName.get('loop0p2'), {
      name: 'loop0p2',
      path: '/dev/loop0p2',
      type: v === '2.33.1' ? 'part' : 'loop',
      size: 67108864,
      fstype: 'swap',
      parent: 'loop0',
      readOnly: false
    });
    t.same(byName.get('loop1'), { name: 'loop1', path: '/dev/loop1', type: 'loop', size: 134217728, readOnly: false });
    t.same(byName.get('loop1p2')?.size, 1024, `${v}: the extended partition is 1 KiB as the kernel sees it`);
    t.same(
      vols.value.map((x) => x.parent ?? null).sort(),
      ['loop0', 'loop0', 'loop1', 'loop1', 'loop1', null, null].sort(),
      `${v}: parents`
    );
  }
  const withPath = loadRecording('2.33.1', '05-pairs-bytes-path.json');
  const rows = parsePairs(withPath.stdout, ['NAME', 'PATH', 'SIZE', 'TYPE']);
  t.ok(rows.ok && rows.value.every((r) => r.PATH === `/dev/${r.NAME}`), '2.33.1: PATH column in pairs');
});

t.test('2.23 series parser (NAME,KNAME,PKNAME,...)', async (t) => {
  t.same(COLS23, ['NAME', 'KNAME', 'PKNAME', 'SIZE', 'TYPE', 'FSTYPE', 'MOUNTPOINT', 'RO']);
  const line = (name: string, kname: string, pk: string, size: string, type: string, fs: string, mp: string, ro: string) =>
    `NAME="${name}" KNAME="${kname}" PKNAME="${pk}" SIZE="${size}" TYPE="${type}" FSTYPE="${fs}" MOUNTPOINT="${mp}" RO="${ro}"\n`;
  const out =
    line('sda', 'sda', '', '1000', 'disk', '', '', '0') +
    line('sda1', 'sda1', 'sda', '600', 'part', 'LVM2_member', '', '0') +
    line('sdb', 'sdb', '', '1000', 'disk', 'LVM2_member', '', '0') +
    line('vg-lv', 'dm-0', 'sda1', '900', 'lvm', 'ext4', '/srv/my\\x20data', '0') +
    line('vg-lv', 'dm-0', 'sdb', '900', 'lvm', 'ext4', '/srv/my\\x20data', '0') +
    line('vg-lv2', 'dm-1', 'dm-0', '10', 'lvm', '', '', '1') +
    line('sr0', 'sr0', '', '', 'rom', '', '', '1');
  const r = parse23(out);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.value, [
    { name: 'sda', path: '/dev/sda', type: 'disk', size: 1000, readOnly: false },
    { name: 'sda1', path: '/dev/sda1', type: 'part', size: 600, fstype: 'LVM2_member', parent: 'sda', readOnly: false },
    { name: 'sdb', path: '/dev/sdb', type: 'disk', size: 1000, fstype: 'LVM2_member', readOnly: false },
    { name: 'vg-lv', path: '/dev/mapper/vg-lv', type: 'lvm', size: 900, fstype: 'ext4', mountpoint: '/srv/my data', parent: 'sda1', readOnly: false },
    { name: 'vg-lv2', path: '/dev/mapper/vg-lv2', type: 'lvm', size: 10, parent: 'vg-lv', readOnly: true },
    { name: 'sr0', path: '/dev/sr0', type: 'rom', size: 0, readOnly: true }
  ], 'dm paths, parent by NAME, one entry per device, empty SIZE is 0');
  const bad = parse23(line('sda', 'sda', '', '1.5G', 'disk', '', '', '0'));
  t.equal(bad.ok, false, 'a human-readable size is refused');
  const badRo = parse23(line('sda', 'sda', '', '1', 'disk', '', '', 'yes'));
  t.equal(badRo.ok, false, 'an RO value that is not 0/1 is refused');
  const noType = parse23(line('sda', 'sda', '', '1', '', '', '', '0'));
  t.equal(noType.ok, false, 'a device without TYPE is refused');
  const wrongCols = parse23('NAME="sda" SIZE="1"\n');
  t.equal(wrongCols.ok, false, 'other columns than asked for are refused');
});

t.test('2.20 series parser (no PKNAME, "name (dm-N)" names)', async (t) => {
  t.same(COLS20, ['NAME', 'KNAME', 'SIZE', 'TYPE', 'FSTYPE', 'MOUNTPOINT', 'RO']);
  const out =
    'NAME="sda" KNAME="sda" SIZE="1000" TYPE="disk" FSTYPE="" MOUNTPOINT="" RO="0"\n' +
    'NAME="sda1" KNAME="sda1" SIZE="600" TYPE="part" FSTYPE="" MOUNTPOINT="/boot" RO="0"\n' +
    'NAME="vg-root (dm-0)" KNAME="dm-0" SIZE="500" TYPE="lvm" FSTYPE="ext4" MOUNTPOINT="/" RO="0"\n' +
    'NAME="cciss!c0d0" KNAME="cciss!c0d0" SIZE="7" TYPE="disk" FSTYPE="" MOUNTPOINT="" RO="0"\n';
  const r = parse20(out);
  t.same(r, {
    ok: true,
    value: [
      { name: 'sda', path: '/dev/sda', type: 'disk', size: 1000, readOnly: false },
      { name: 'sda1', path: '/dev/sda1', type: 'part', size: 600, mountpoint: '/boot', readOnly: false },
      { name: 'vg-root', path: '/dev/mapper/vg-root', type: 'lvm', size: 500, fstype: 'ext4', mountpoint: '/', readOnly: false },
      { name: 'cciss!c0d0', path: '/dev/cciss/c0d0', type: 'disk', size: 7, readOnly: false }
    ]
  });
  t.equal(parse20('NAME="sda" KNAME="sda" PKNAME="" SIZE="1" TYPE="disk" FSTYPE="" MOUNTPOINT="" RO="0"\n').ok, false, '2.23 columns are not 2.20 columns');
});
