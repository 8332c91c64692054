// lsblk -P parsing: escapes, the recorded pairs outputs of 2.27.1..2.33.1, unescaped values of the
// first -P releases, and the 2.20 (-bPo list) and 2.23 (default columns) series parsers.
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

t.test('2.23 series parser (lsblk --bytes --pairs --all: default columns)', async (t) => {
  t.same(COLS23, ['NAME', 'MAJ:MIN', 'RM', 'SIZE', 'RO', 'TYPE', 'MOUNTPOINT']);
  const line = (name: string, majmin: string, rm: string, size: string, ro: string, type: string, mp: string) =>
    `NAME="${name}" MAJ:MIN="${majmin}" RM="${rm}" SIZE="${size}" RO="${ro}" TYPE="${type}" MOUNTPOINT="${mp}"\n`;
  const out =
    line('vda', '252:0', '0', '1000', '0', 'disk', '') +
    line('vda1', '252:1', '0', '600', '0', 'part', '/srv/my\\x20data') +
    line('vg-lv', '253:0', '0', '500', '1', 'lvm', '') +
    line('luks-x', '253:1', '0', '400', '0', 'crypt', '/home') +
    line('md0', '9:0', '0', '300', '0', 'raid1', '') +
    line('sr0', '11:0', '1', '', '0', 'rom', '');
  const r = parse23(out);
  t.same(r, {
    ok: true,
    value: [
      { name: 'vda', path: '/dev/vda', type: 'disk', size: 1000, readOnly: false },
      { name: 'vda1', path: '/dev/vda1', type: 'part', size: 600, mountpoint: '/srv/my data', readOnly: false },
      { name: 'vg-lv', path: '/dev/mapper/vg-lv', type: 'lvm', size: 500, readOnly: true },
      { name: 'luks-x', path: '/dev/mapper/luks-x', type: 'crypt', size: 400, mountpoint: '/home', readOnly: false },
      { name: 'md0', path: '/dev/md0', type: 'raid1', size: 300, readOnly: false },
      { name: 'sr0', path: '/dev/sr0', type: 'rom', size: 0, readOnly: false }
    ]
  }, 'device-mapper types live in /dev/mapper, escapes decoded, a drive without media is 0 bytes, no parent');
  const twice = parse23(line('vg-lv', '253:0', '0', '500', '0', 'lvm', '') + line('vg-lv', '253:0', '0', '500', '0', 'lvm', ''));
  t.same(twice.ok && twice.value.length, 1, 'a device listed under two parents is one volume');
  t.equal(parse23(line('sda', '8:0', '0', '1.5G', '0', 'disk', '')).ok, false, 'a human-readable size is refused');
  t.equal(parse23(line('sda', '8:0', '0', '1', 'yes', 'disk', '')).ok, false, 'an RO value that is not 0/1 is refused');
  t.equal(parse23(line('sda', '8:0', '0', '1', '0', '', '')).ok, false, 'a device without TYPE is refused');
  // Default columns of util-linux 2.37+ (MOUNTPOINTS): another release's defaults are not misread.
  const newer = parse23('NAME="sda" MAJ:MIN="8:0" RM="0" SIZE="1" RO="0" TYPE="disk" MOUNTPOINTS=""\n');
  t.equal(newer.ok, false, 'other default columns are refused');
  if (!newer.ok) t.match(newer.message, /MOUNTPOINT/);
  t.equal(parse23('NAME="sda" KNAME="sda" PKNAME="" SIZE="1" TYPE="disk" FSTYPE="" MOUNTPOINT="" RO="0"\n').ok, false, 'an -o list is not the defaults');
});

t.test('2.20 series parser (lsblk -bPo ...: "name (dm-N)" names, no PKNAME)', async (t) => {
  t.same(COLS20, ['NAME', 'TYPE', 'SIZE', 'FSTYPE', 'MOUNTPOINT', 'UUID', 'ROTA', 'RO', 'RM', 'LABEL', 'MODEL', 'OWNER', 'GROUP']);
  const line = (name: string, type: string, size: string, fs: string, mp: string, ro: string, model = '') =>
    `NAME="${name}" TYPE="${type}" SIZE="${size}" FSTYPE="${fs}" MOUNTPOINT="${mp}" UUID="" ROTA="1" RO="${ro}" RM="0" LABEL="" MODEL="${model}" OWNER="root" GROUP="disk"\n`;
  const out =
    line('sda', 'disk', '1000', '', '', '0', 'VB0250EAVER     ') +
    line('sda1', 'part', '600', 'ext4', '/boot', '0') +
    line('vg-root (dm-0)', 'lvm', '500', 'ext4', '/', '0') +
    line('cryptswap (dm-12)', 'crypt', '40', 'swap', '[SWAP]', '0') +
    line('cciss!c0d0', 'disk', '7', '', '', '1') +
    line('odd (name)', 'disk', '9', '', '', '0');
  t.same(parse20(out), {
    ok: true,
    value: [
      { name: 'sda', path: '/dev/sda', type: 'disk', size: 1000, readOnly: false },
      { name: 'sda1', path: '/dev/sda1', type: 'part', size: 600, fstype: 'ext4', mountpoint: '/boot', readOnly: false },
      { name: 'vg-root', path: '/dev/mapper/vg-root', type: 'lvm', size: 500, fstype: 'ext4', mountpoint: '/', readOnly: false },
      { name: 'cryptswap', path: '/dev/mapper/cryptswap', type: 'crypt', size: 40, fstype: 'swap', mountpoint: '[SWAP]', readOnly: false },
      { name: 'cciss!c0d0', path: '/dev/cciss/c0d0', type: 'disk', size: 7, readOnly: true },
      { name: 'odd (name)', path: '/dev/odd (name)', type: 'disk', size: 9, readOnly: false }
    ]
  }, 'the " (dm-N)" suffix is split off, other parentheses are part of the name');
  t.equal(parse20('NAME="sda" MAJ:MIN="8:0" RM="0" SIZE="1" RO="0" TYPE="disk" MOUNTPOINT=""\n').ok, false, 'the default columns are not the -o list');
});

t.test('pairsToVolumes: the dm suffix only where the series says so', async (t) => {
  const rows = [{ NAME: 'vg-lv (dm-3)', SIZE: '1', TYPE: 'lvm' }];
  t.same(pairsToVolumes(rows, { dmNameSuffix: true }), { ok: true, value: [{ name: 'vg-lv', path: '/dev/mapper/vg-lv', type: 'lvm', size: 1 }] });
  t.same(pairsToVolumes(rows), { ok: true, value: [{ name: 'vg-lv (dm-3)', path: '/dev/mapper/vg-lv (dm-3)', type: 'lvm', size: 1 }] }, '2.23+: kept as printed');
  const withKname = [{ NAME: 'a (dm-1)', KNAME: 'dm-1', PKNAME: '', SIZE: '2', TYPE: 'dm' }, { NAME: 'b (dm-2)', KNAME: 'dm-2', PKNAME: 'dm-1', SIZE: '1', TYPE: 'dm' }];
  t.same(pairsToVolumes(withKname, { dmNameSuffix: true }), {
    ok: true,
    value: [
      { name: 'a', path: '/dev/mapper/a', type: 'dm', size: 2 },
      { name: 'b', path: '/dev/mapper/b', type: 'dm', size: 1, parent: 'a' }
    ]
  }, 'with KNAME and PKNAME the parent is the DM name');
  const other = pairsToVolumes([{ NAME: 'x (dm-1)', KNAME: 'dm-2', SIZE: '1', TYPE: 'dm' }], { dmNameSuffix: true });
  t.same(other.ok && other.value[0]?.name, 'x (dm-1)', 'a suffix that is not this device\'s kernel name is kept');
  t.equal(pairsToVolumes([{ NAME: 'sda', TYPE: 'disk' }]).ok, false, 'rows without SIZE are refused');
});
