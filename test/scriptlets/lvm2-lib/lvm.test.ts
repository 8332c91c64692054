import t from 'tap';
import {
  configArgs,
  lvcreateLinearArgs,
  lvcreateSnapshotArgs,
  lvcreateThinArgs,
  lvcreateThinWithPoolArgs,
  lvmNameProblem,
  lvmSize,
  lvremoveArgs,
  lvresizeArgs,
  pvcreateArgs,
  reportArgs,
  vgNameOf,
  vgchangeArgs,
  LV_FIELDS
} from '../../../scriptlets/lib/lvm.js';
import { LVM2_2_02_98 } from '../../../scriptlets/lvm2-2.02.98/dialect.js';
import { LVM2_2_02_99 } from '../../../scriptlets/lvm2-2.02.99/dialect.js';
import { LVM2_2_02_158 } from '../../../scriptlets/lvm2-2.02.158/dialect.js';
import { LVM2_2_03 } from '../../../scriptlets/lvm2-2.03/dialect.js';

const noDm = { deviceMapper: false, root: true };
const dm = { deviceMapper: true, root: true };

t.test('LVM names', async (t) => {
  for (const ok of ['lv1', 'a.b-c_d+e', 'VG_00', 'x'.repeat(127)]) t.equal(lvmNameProblem(ok, 'logical volume'), null, ok);
  for (const bad of ['', 'a b', 'a:b', 'a,b', 'a/b', '-a', '.', '..', 'x'.repeat(128), 'snapshot1', 'pvmove0', 'my_tmeta', 'a_rimage_0', 'é']) {
    t.type(lvmNameProblem(bad, 'logical volume'), 'string', JSON.stringify(bad));
  }
  // Reserved LV words are only an LV matter.
  t.equal(lvmNameProblem('snapshots', 'volume group'), null);
  t.match(lvmNameProblem('vg:1', 'volume group'), /may only contain/);
});

t.test('VG of a pool: <source><name>, else the pool name', async (t) => {
  t.equal(vgNameOf({ name: 'pool', source: { name: 'vgx' } }), 'vgx');
  t.equal(vgNameOf({ name: 'pool', source: {} }), 'pool');
  t.equal(vgNameOf({ name: 'pool', source: { name: '' } }), 'pool');
  t.equal(vgNameOf({ name: 'pool' }), 'pool');
});

t.test('sizes for -L: largest exact binary unit, rounded up to KiB', async (t) => {
  t.equal(lvmSize(41943040), '40m');
  t.equal(lvmSize(104857600), '100m');
  t.equal(lvmSize(1073741824), '1g');
  t.equal(lvmSize(4 * 1024 ** 4), '4t');
  t.equal(lvmSize(1536 * 1024 * 1024), '1536m');
  t.equal(lvmSize(5000 * 1024), '5000k');
  t.equal(lvmSize(1), '1k');
  t.equal(lvmSize(4097), '5k');
  t.throws(() => lvmSize(0));
  t.throws(() => lvmSize(-1));
  t.throws(() => lvmSize(1.5));
});

t.test('activation off without device-mapper, as one argv pair', async (t) => {
  t.same(configArgs(noDm), ['--config', 'global{activation=0}']);
  t.same(configArgs(dm), []);
  t.same(pvcreateArgs(noDm, ['/dev/loop0', '/dev/loop1']), ['pvcreate', '--config', 'global{activation=0}', '/dev/loop0', '/dev/loop1']);
  t.same(vgchangeArgs(dm, 'vg', true), ['vgchange', '-ay', 'vg']);
  t.same(vgchangeArgs(dm, 'vg', false), ['vgchange', '-an', 'vg']);
});

t.test('--yes: from the 2.02.99 series on, with device-mapper only', async (t) => {
  t.same(LVM2_2_02_98.lvcreatePromptArgs(dm), [], '2.02.98 neither prompts nor knows --yes');
  t.same(LVM2_2_02_99.lvcreatePromptArgs(dm), ['--yes']);
  t.same(LVM2_2_02_158.lvcreatePromptArgs(dm), ['--yes'], 'inherited by the JSON series');
  t.same(LVM2_2_03.lvcreatePromptArgs(dm), ['--yes']);
  t.same(LVM2_2_03.lvcreatePromptArgs(noDm), [], 'nothing to wipe, nothing to answer without device-mapper');
});

t.test('report argv equals the recorded forms', async (t) => {
  // shared/recordings/lvm2-*/13-lvs-sep.json and 23-lvs-json.json, plus the --config pair.
  t.same(reportArgs('lv', LV_FIELDS, LVM2_2_02_98, noDm, ['vgrec']), [
    'lvs', '--config', 'global{activation=0}', '--noheadings', '--separator', '#', '--units', 'b', '--nosuffix', '-o',
    'lv_name,vg_name,lv_uuid,lv_path,lv_attr,lv_size,seg_count,origin,lv_tags', 'vgrec'
  ]);
  t.same(reportArgs('lv', LV_FIELDS, LVM2_2_03, dm, ['vgrec']), [
    'lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'lv_name,vg_name,lv_uuid,lv_path,lv_attr,lv_size,seg_count,origin,lv_tags', 'vgrec'
  ]);
});

t.test('lvcreate forms', async (t) => {
  t.same(lvcreateLinearArgs(noDm, LVM2_2_02_98, 'vgrec', 'lvspan', 104857600), ['lvcreate', '--config', 'global{activation=0}', '-Z', 'n', '-n', 'lvspan', '-L', '100m', 'vgrec']);
  t.same(lvcreateLinearArgs(dm, LVM2_2_03, 'vg', 'lv', 1073741824), ['lvcreate', '--yes', '-n', 'lv', '-L', '1g', 'vg']);
  t.same(lvcreateLinearArgs(dm, LVM2_2_02_98, 'vg', 'lv', 1073741824), ['lvcreate', '-n', 'lv', '-L', '1g', 'vg']);
  t.same(lvcreateThinArgs(dm, LVM2_2_03, 'vg', 'tp', 'thin1', 10 * 1024 ** 3), ['lvcreate', '--yes', '-T', 'vg/tp', '-V', '10g', '-n', 'thin1']);
  t.same(lvcreateThinWithPoolArgs(dm, LVM2_2_03, 'vg', 'thinpool', 1024 ** 3, 'thin1', 10 * 1024 ** 3), [
    'lvcreate', '--yes', '-L', '1g', '-T', 'vg/thinpool', '-V', '10g', '-n', 'thin1'
  ]);
  t.same(lvcreateSnapshotArgs(dm, LVM2_2_03, 'vg', 'lv', 'snap', { thin: false, size: 41943040 }), ['lvcreate', '--yes', '-s', '-L', '40m', '-n', 'snap', 'vg/lv']);
  t.same(lvcreateSnapshotArgs(dm, LVM2_2_03, 'vg', 'thin1', 'snap', { thin: true }), ['lvcreate', '--yes', '-s', '-kn', '-n', 'snap', 'vg/thin1']);
});

t.test('lvresize: grow is relative (+), shrink needs -f', async (t) => {
  t.same(lvresizeArgs(noDm, 'vgrec', 'lvdata', { grow: 8 * 1024 * 1024 }), ['lvresize', '--config', 'global{activation=0}', '-L', '+8m', 'vgrec/lvdata']);
  t.same(lvresizeArgs(dm, 'vgrec', 'lvdata', { shrinkTo: 20 * 1024 * 1024 }), ['lvresize', '-f', '-L', '20m', 'vgrec/lvdata']);
  t.notOk(lvresizeArgs(dm, 'v', 'l', { grow: 1024 }).includes('-f'), 'never -f when growing');
  t.same(lvremoveArgs(dm, 'vgrec', 'lvspan'), ['lvremove', '-f', 'vgrec/lvspan']);
});
