// The lsblk host.listVolumes scriptlets as declarations: ranges, selection by version, argv,
// and the import rules scriptlets live by.
import t from 'tap';
import semver from 'semver';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERIES, seriesFor } from './series.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The options of an lsblk argv as lsblk's getopt reads them: long options, single short options
 * and bundles such as -bPo whose last letter may take the next element as its argument.
 */
function lsblkOptions(argv: readonly string[]): { flags: Set<string>; output: string | undefined; operands: string[] } {
  const long: Record<string, string> = { '--bytes': 'b', '--pairs': 'P', '--json': 'J', '--all': 'a', '--output': 'o', '--list': 'l', '--paths': 'p' };
  const flags = new Set<string>();
  let output: string | undefined;
  const operands: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--')) {
      const [name, value] = a.split('=', 2) as [string, string | undefined];
      const f = long[name];
      if (f === undefined) throw new Error(`unknown option ${a}`);
      if (f === 'o') output = value ?? argv[++i];
      else flags.add(f);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let k = 1; k < a.length; k++) {
        const f = a[k] as string;
        if (f === 'o') {
          output = k + 1 < a.length ? a.slice(k + 1) : argv[++i];
          break;
        }
        flags.add(f);
      }
    } else {
      operands.push(a);
    }
  }
  return { flags, output, operands };
}

t.test('lsblkOptions reads bundles and long options', async (t) => {
  t.same(lsblkOptions(['lsblk', '-bPo', 'A,B']), { flags: new Set(['b', 'P']), output: 'A,B', operands: [] });
  t.same(lsblkOptions(['lsblk', '--bytes', '--pairs', '--all']), { flags: new Set(['b', 'P', 'a']), output: undefined, operands: [] });
  t.same(lsblkOptions(['lsblk', '--json', '-b', '-oNAME', '/dev/sda']), { flags: new Set(['J', 'b']), output: 'NAME', operands: ['/dev/sda'] });
  t.throws(() => lsblkOptions(['lsblk', '--nosuch']));
});

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
    const o = lsblkOptions(argv);
    t.ok(o.flags.has('b'), `${s.id}: sizes in bytes`);
    t.same([o.flags.has('P'), o.flags.has('J')], [s.form === 'pairs', s.form === 'json'], `${s.id}: one structured output form (${s.form})`);
    if (s.explicitColumns) t.equal(o.output, s.columns.join(','), `${s.id}: -o is the column list`);
    else t.equal(o.output, undefined, `${s.id}: no -o, lsblk's default columns`);
    t.same(o.operands, [], `${s.id}: no device argument, every device is listed`);
  }
  for (let i = 0; i < SERIES.length; i++) {
    for (let j = i + 1; j < SERIES.length; j++) {
      const a = SERIES[i]!;
      const b = SERIES[j]!;
      t.notOk(semver.intersects(a.range, b.range), `${a.id} and ${b.id} do not overlap`);
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
  // The commands whose real output on CentOS 7 and Ubuntu 14.04 the goldens hold.
  t.same(seriesFor('2.25.2')?.argv(), ['lsblk', '--bytes', '--pairs', '--all']);
  t.same(seriesFor('2.20.1')?.argv(), ['lsblk', '-bPo', 'NAME,TYPE,SIZE,FSTYPE,MOUNTPOINT,UUID,ROTA,RO,RM,LABEL,MODEL,OWNER,GROUP']);
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
