// The lsblk host.listVolumes scriptlets as declarations: ranges, selection by version, argv,
// and the import rules scriptlets live by.
import t from 'tap';
import semver from 'semver';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERIES, seriesFor } from './series.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

t.test('declarations', async (t) => {
  for (const s of SERIES) {
    t.equal(s.def.operation, 'host.listVolumes', s.id);
    t.same(s.def.poolTypes, ['host'], s.id);
    t.equal(s.def.tool, 'lsblk', s.id);
    t.same(s.def.binaries, ['lsblk'], s.id);
    t.ok(semver.validRange(s.def.versions), `${s.id}: valid range`);
    t.ok(s.def.why.length > 40 && /ReleaseNotes/.test(s.def.why), `${s.id}: why cites the release notes`);
    const argv = s.argv();
    t.equal(argv[0], 'lsblk');
    t.ok(argv.includes('--bytes'), `${s.id}: sizes in bytes`);
    t.equal(argv[argv.indexOf('-o') + 1], s.columns.join(','), `${s.id}: -o is the column list`);
    t.notOk(argv.some((a) => a.startsWith('/')), `${s.id}: no device argument, every device is listed`);
    t.equal(argv.filter((a) => a === '--json' || a === '-P').length, 1, `${s.id}: one structured output form`);
  }
  for (let i = 0; i < SERIES.length; i++) {
    for (let j = i + 1; j < SERIES.length; j++) {
      const a = SERIES[i]!;
      const b = SERIES[j]!;
      t.notOk(semver.intersects(a.def.versions, b.def.versions), `${a.id} and ${b.id} do not overlap`);
    }
  }
});

t.test('selection by version', async (t) => {
  const expect: [string, string | undefined][] = [
    ['2.19', undefined],
    ['2.19.1', undefined],
    ['2.20', 'lsblk-2.20/host-list-volumes'],
    ['2.20.1', 'lsblk-2.20/host-list-volumes'],
    ['2.22.2', 'lsblk-2.20/host-list-volumes'],
    ['2.23', 'lsblk-2.23/host-list-volumes'],
    ['2.23.2', 'lsblk-2.23/host-list-volumes'],
    ['2.26.2', 'lsblk-2.23/host-list-volumes'],
    ['2.27', 'lsblk-2.27/host-list-volumes'],
    ['2.27.1', 'lsblk-2.27/host-list-volumes'],
    ['2.31.1', 'lsblk-2.27/host-list-volumes'],
    ['2.32.1', 'lsblk-2.27/host-list-volumes'],
    ['2.33', 'lsblk-2.33/host-list-volumes'],
    ['2.33.1', 'lsblk-2.33/host-list-volumes'],
    ['2.38.1', 'lsblk-2.33/host-list-volumes'],
    ['2.40.2', 'lsblk-2.33/host-list-volumes'],
    ['2.39-rc1', 'lsblk-2.33/host-list-volumes']
  ];
  for (const [v, id] of expect) t.equal(seriesFor(v)?.id, id, `lsblk ${v}`);
});

t.test('argv of each series', async (t) => {
  t.same(seriesFor('2.38.1')?.argv(), ['lsblk', '--json', '--bytes', '-o', 'NAME,PATH,SIZE,TYPE,FSTYPE,MOUNTPOINT,RO']);
  t.same(seriesFor('2.31.1')?.argv(), ['lsblk', '--json', '--bytes', '-o', 'NAME,SIZE,TYPE,MOUNTPOINT']);
  t.same(seriesFor('2.25.2')?.argv(), ['lsblk', '-P', '--bytes', '-o', 'NAME,KNAME,PKNAME,SIZE,TYPE,FSTYPE,MOUNTPOINT,RO']);
  t.same(seriesFor('2.20.1')?.argv(), ['lsblk', '-P', '--bytes', '-o', 'NAME,KNAME,SIZE,TYPE,FSTYPE,MOUNTPOINT,RO']);
});

t.test('scriptlet sources import only the scriptlet API, generated types and scriptlets/lib', async (t) => {
  const files = [
    ...readdirSync(join(ROOT, 'scriptlets'))
      .filter((d) => d.startsWith('lsblk-'))
      .flatMap((d) => readdirSync(join(ROOT, 'scriptlets', d)).filter((f) => f.endsWith('.ts')).map((f) => join('scriptlets', d, f))),
    join('scriptlets', 'lib', 'lsblk.ts')
  ];
  t.ok(files.length >= 5, 'found the sources');
  for (const f of files) {
    const src = readFileSync(join(ROOT, f), 'utf8');
    const imports = [...src.matchAll(/^import\s+(type\s+)?[^'"]*from\s+'([^']+)'/gm)].map((m) => ({ typeOnly: Boolean(m[1]), from: m[2] as string }));
    t.ok(imports.length > 0, `${f}: has imports`);
    for (const i of imports) {
      const allowed =
        i.from === '../../runner/scriptlet/api.js' ||
        (i.typeOnly && i.from === '../../runner/contracts/generated.js') ||
        (f.startsWith('scriptlets/lsblk-') && /^\.\.\/lib\/[a-z0-9-]+\.js$/.test(i.from));
      t.ok(allowed, `${f}: import from ${i.from}${i.typeOnly ? ' (type)' : ''}`);
    }
    t.notMatch(src, /node:|require\(|process\.|child_process/, `${f}: no I/O`);
  }
});
