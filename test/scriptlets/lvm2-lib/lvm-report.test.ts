import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  pvFromRow,
  sourcesFromPvs,
  vgFromRow,
  volumeFromRow,
  lvRole,
  needsDetails,
  detailsFromRows
} from '../../../scriptlets/lib/lvm-report.js';
import { LV_FIELDS, PV_FIELDS, VG_FIELDS, type LvmDialect } from '../../../scriptlets/lib/lvm.js';
import { parseSeparatorReport } from '../../../scriptlets/lvm2-2.02.98/separator-report.js';
import { extractJson, parseJsonReport } from '../../../scriptlets/lvm2-2.02.158/json-report.js';
import { LVM2_2_02_98 } from '../../../scriptlets/lvm2-2.02.98/dialect.js';
import { LVM2_2_02_158 } from '../../../scriptlets/lvm2-2.02.158/dialect.js';

const SCRIPTLETS = new URL('../../../scriptlets/', import.meta.url).pathname;

// Real outputs: the goldens hold recorded stdout verbatim (golden/lvm2-*/).
const GOLDEN = new URL('../../../../golden/', import.meta.url).pathname;
function recorded(version: string, file: string, call = 0): string {
  const g = JSON.parse(readFileSync(join(GOLDEN, `lvm2-${version}`, file), 'utf8')) as { calls: { stdout: string }[] };
  return g.calls[call]?.stdout ?? '';
}

t.test('separator reports from every text-recorded version', async (t) => {
  for (const v of ['2.02.98', '2.02.133']) {
    const r = LVM2_2_02_98.parseReport('lv', LV_FIELDS, recorded(v, 'vol-list-two-lvs.json'));
    t.ok(r.ok);
    if (!r.ok) continue;
    t.equal(r.rows.length, 2, v);
    t.equal(r.rows[0]?.['lv_name'], 'lvdata');
    t.equal(r.rows[0]?.['lv_size'], '41943040');
    t.equal(r.rows[1]?.['seg_count'], '2');
    t.equal(r.rows[1]?.['lv_tags'], '');
    t.match(r.rows[0]?.['lv_attr'], v === '2.02.98' ? /^-wi------$/ : /^-wi-XX----$/);
    const pvs = LVM2_2_02_98.parseReport('pv', PV_FIELDS, recorded(v, 'pool-find-sources-vg-with-two-pvs.json'));
    t.ok(pvs.ok && pvs.rows.length === 2 && pvs.rows[1]?.['pv_name'] === '/dev/loop1' && pvs.rows[1]?.['pv_free'] === '12582912');
  }
});

t.test('the free-form field takes the separators it contains', async (t) => {
  // A tag may contain '#' (lvm2 2.02.78 on), a device path anything.
  const lv = '  lvx#vg1#Uuuuuu-1111-2222-3333-4444-5555-666666#/dev/vg1/lvx#-wi-a-----#4194304#1##a#b,c:d\n';
  const r = parseSeparatorReport(lv, LV_FIELDS, 'lv_tags');
  t.ok(r.ok);
  if (r.ok) {
    t.equal(r.rows[0]?.['lv_tags'], 'a#b,c:d');
    t.equal(r.rows[0]?.['origin'], '');
    t.equal(r.rows[0]?.['lv_size'], '4194304');
  }
  const pv = '  /dev/disk/by-id/weird#name:0,1#vg1#Puuuuu-1111#lvm2#a--#100#0#100#104857600#1048576#24#24\n';
  const p = parseSeparatorReport(pv, PV_FIELDS, 'pv_name');
  t.ok(p.ok && p.rows[0]?.['pv_name'] === '/dev/disk/by-id/weird#name:0,1' && p.rows[0]?.['vg_name'] === 'vg1' && p.rows[0]?.['pv_pe_alloc_count'] === '24');
});

t.test('lines that are not rows are skipped', async (t) => {
  const out = '  WARNING: something on stdout\n  vgrec#U#lvm2#wz--n-#159383552#12582912#4194304#38#3#2#2#0\n\n';
  const r = parseSeparatorReport(out, VG_FIELDS);
  t.ok(r.ok && r.rows.length === 1 && r.rows[0]?.['vg_free'] === '12582912');
  // Without a free-form field, a row with too many parts is not taken apart by guessing.
  const extra = parseSeparatorReport('  a#b#c#d#e#f#g#h#i#j#k#l#m\n', VG_FIELDS);
  t.ok(extra.ok && extra.rows.length === 0);
});

t.test('JSON reports from every JSON-recorded version', async (t) => {
  for (const v of ['2.02.168', '2.02.187', '2.03.11']) {
    const r = LVM2_2_02_158.parseReport('lv', LV_FIELDS, recorded(v, 'vol-list-two-lvs.json'));
    t.ok(r.ok, v);
    if (r.ok) t.same(r.rows.map((x) => [x['lv_name'], x['lv_size'], x['seg_count']]), [['lvdata', '41943040', '1'], ['lvspan', '104857600', '2']]);
    const vg = LVM2_2_02_158.parseReport('vg', VG_FIELDS, recorded(v, 'pool-refresh-sizes.json'));
    t.ok(vg.ok && vg.rows[0]?.['vg_extent_count'] === '38');
  }
});

t.test('JSON: json_std numbers, null, a log section, notices inside the document', async (t) => {
  const std = '{"report":[{"vg":[{"vg_name":"vg1","vg_size":1048576,"vg_free":null}]}],"log":[{"log_seq_num":1,"log_type":"status"}]}';
  const r = parseJsonReport(std, 'vg');
  t.ok(r.ok);
  if (r.ok) t.same(r.rows, [{ vg_name: 'vg1', vg_size: '1048576', vg_free: '' }]);
  // lvm2 issue #137: a notice printed on stdout inside the report.
  const broken = '  {\n      "report": [\n  Consider pruning vg1 VG archive with more then 6 MiB in 8206 files (see archiving settings in lvm.conf).\n          {\n              "vg": [\n                  {"vg_name":"vg1", "vg_size":"4194304"}\n              ]\n          }\n      ]\n  }\n';
  const b = parseJsonReport(broken, 'vg');
  t.ok(b.ok && b.rows[0]?.['vg_size'] === '4194304');
  t.equal(extractJson(''), undefined);
  t.notOk(parseJsonReport('not json at all', 'vg').ok);
  t.notOk(parseJsonReport('{"report":[{"vg":{"x":1}}]}', 'vg').ok, '"vg" must be an array');
  t.notOk(LVM2_2_02_158.parseReport('vg', ['vg_name', 'vg_uuid'], '{"report":[{"vg":[{"vg_name":"a"}]}]}').ok, 'a missing field is an error');
  // The JSON skeleton a missing VG still prints (recording 25-vgs-json-missing-vg): no rows.
  const skel = '  {\n      "report": [\n          {\n              "vg": [\n              ]\n          }\n      ]\n  }\n';
  const s = parseJsonReport(skel, 'vg');
  t.ok(s.ok && s.rows.length === 0);
});

t.test('VG and PV rows, sources', async (t) => {
  const vg = vgFromRow({ vg_name: 'vgrec', vg_uuid: 'u', vg_attr: 'wz--n-', vg_size: '159383552', vg_free: '12582912', vg_extent_size: '4194304', pv_count: '2', lv_count: '2' });
  t.same(vg, { name: 'vgrec', uuid: 'u', attr: 'wz--n-', size: 159383552, free: 12582912, extentSize: 4194304, pvCount: 2, lvCount: 2 });
  t.type(vgFromRow({ vg_name: 'x', vg_size: '1.5' }), 'string');
  t.type(pvFromRow({ pv_name: '', pv_size: '1', pv_free: '0' }), 'string');
  t.type(vgFromRow({ vg_name: 'x', vg_size: '99999999999999999999', vg_free: '0', vg_extent_size: '1', pv_count: '1', lv_count: '0' }), 'string', 'beyond 2^53');
  const pvs = [
    { name: '/dev/a', vg: 'vg1', size: 1, free: 1 },
    { name: '/dev/b', vg: '', size: 1, free: 1 },
    { name: '/dev/c', vg: 'vg2', size: 1, free: 1 },
    { name: '/dev/d', vg: 'vg1', size: 1, free: 1 }
  ];
  t.same(sourcesFromPvs(pvs), [
    { name: 'vg1', format: 'lvm2', devices: [{ path: '/dev/a' }, { path: '/dev/d' }] },
    { name: 'vg2', format: 'lvm2', devices: [{ path: '/dev/c' }] }
  ]);
  t.same(sourcesFromPvs(pvs, '/dev/c').map((s) => s.name), ['vg2']);
});

const row = (name: string, attr: string, size: string, origin = '') => ({
  lv_name: name, vg_name: 'vg', lv_uuid: `${name}-uuid`, lv_path: '', lv_attr: attr, lv_size: size, seg_count: '1', origin, lv_tags: ''
});

t.test('volumes: linear, thin pool, thin, snapshot, hidden', async (t) => {
  t.same(volumeFromRow(row('lv', '-wi-a-----', '41943040'), 'vg', undefined, 'p'), {
    pool: 'p', name: 'lv', key: 'lv-uuid', path: '/dev/vg/lv', type: 'block', capacity: 41943040, allocation: 41943040, format: 'lvm2',
    extra: { lvAttr: '-wi-a-----', lvType: 'linear', segments: 1 }
  });
  const details = detailsFromRows([
    { lv_uuid: 'tp-uuid', pool_lv: '', data_percent: '25.00', origin_size: '' },
    { lv_uuid: 'th-uuid', pool_lv: 'tp', data_percent: '12.50', origin_size: '' },
    { lv_uuid: 'sn-uuid', pool_lv: '', data_percent: '', origin_size: '41943040' }
  ]);
  const tp = volumeFromRow(row('tp', 'twi-aotz--', '104857600'), 'vg', details.get('tp-uuid'));
  t.match(tp, { capacity: 104857600, allocation: 104857600, extra: { lvType: 'thin-pool', dataPercent: 25 } });
  const th = volumeFromRow(row('th', 'Vwi-aotz--', '1073741824'), 'vg', details.get('th-uuid'));
  t.match(th, { capacity: 1073741824, allocation: 134217728, extra: { lvType: 'thin', thinPool: 'tp', dataPercent: 12.5 } });
  const inactiveThin = volumeFromRow(row('th', 'Vwi---tz--', '1073741824'), 'vg', { pool: 'tp', dataPercent: null, originSize: null });
  t.match(inactiveThin, { allocation: 0, extra: { thinPool: 'tp' } });
  const sn = volumeFromRow(row('sn', 'swi-a-s---', '8388608', 'lv'), 'vg', details.get('sn-uuid'));
  t.match(sn, { capacity: 41943040, allocation: 8388608, backingStore: { path: '/dev/vg/lv', format: 'lvm2' }, extra: { lvType: 'snapshot' } });
  t.equal(volumeFromRow(row('[lvol0_pmspare]', 'ewi-------', '4194304'), 'vg', undefined), null);
  t.type(volumeFromRow(row('bad', '-wi-a-----', 'x'), 'vg', undefined), 'string');
  t.ok(needsDetails('twi-aotz--') && needsDetails('Vwi-a-tz--') && needsDetails('swi-a-s---'));
  t.notOk(needsDetails('-wi-XX----') || needsDetails('owi-a-s---'));
  t.equal(lvRole('owi-aos---'), 'origin');
  t.equal(lvRole('rwi-a-r---'), 'raid');
  t.equal(lvRole('?'), 'other');
});

t.test('every recorded lvs in the goldens parses into volumes, with the parser of the series the golden names', async (t) => {
  let n = 0;
  let rows = 0;
  const dialects = new Map<string, LvmDialect>();
  for (const dir of readdirSync(GOLDEN).filter((d) => d.startsWith('lvm2-'))) {
    for (const f of readdirSync(join(GOLDEN, dir))) {
      const g = JSON.parse(readFileSync(join(GOLDEN, dir, f), 'utf8')) as { scriptlet: string; calls: { argv: string[]; stdout: string; exitCode: number }[] };
      const series = g.scriptlet.split('/')[0] as string;
      if (!dialects.has(series)) {
        const mod = (await import(join(SCRIPTLETS, series, 'dialect.js'))) as Record<string, LvmDialect>;
        const d = Object.values(mod)[0];
        if (!d) throw new Error(`${series}/dialect.js exports no dialect`);
        dialects.set(series, d);
      }
      const d = dialects.get(series) as LvmDialect;
      for (const c of g.calls) {
        if (c.argv[0] !== 'lvs' || c.exitCode !== 0) continue;
        const fields = (c.argv[c.argv.indexOf('-o') + 1] ?? '').split(',');
        const r = d.parseReport('lv', fields, c.stdout);
        t.ok(r.ok, `${dir}/${f}`);
        if (!r.ok) continue;
        // As many rows as the output holds LVs, counted apart from the parser: a parser that
        // reads the wrong format (0 rows) fails here.
        const expected = c.argv.includes('json') ? (c.stdout.match(/"lv_uuid"/g) ?? []).length : c.stdout.split('\n').filter((l) => l.includes('#')).length;
        t.equal(r.rows.length, expected, `${dir}/${f}: ${expected} rows`);
        rows += r.rows.length;
        if (fields.includes('lv_attr')) for (const x of r.rows) t.type(volumeFromRow(x, 'vgrec', undefined), 'object');
        n++;
      }
    }
  }
  t.ok(n >= 10, `${n} recorded lvs outputs`);
  t.ok(rows >= n, `${rows} rows in all`);
});
