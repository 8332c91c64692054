// Names and paths: hostile pool and volume names through JSON-RPC (fields and XML) and the CLI,
// volume lookups by path with `..` or outside every pool, symlinks planted in a dir pool's target
// (to a file, a directory, nowhere, itself), a pool target that is itself a symlink, and an audit
// of every recorded tool argv (golden/) for arguments a tool could read as an option.
// Properties: every case is refused (INVALID_ARGUMENT, XML_ERROR for a document, NO_VOLUME or
// SANDBOX_DENIED for a lookup) or handled exactly (the file made has exactly the name asked for,
// inside the pool); a canary and everything outside the pools stay as they were (content and
// mtime); nothing is created outside the pools; `$(touch X)` never creates X; no argv element
// built from a name can be read as an option, and paths built from names are absolute.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, GOLDEN_DIR, tempDir } from '../helpers/paths.js';
import { parsePoolXml, parseVolXml } from '../../runner/xml/index.js';
import { RawAgent, diffSnapshots, snapshot, type Msg } from './fuzz-lib.js';
import { recordFigure, SOAK } from './figures.js';

const SUITE = 'names';
const MIB = 1024 * 1024;

/** Names a spec-following agent must refuse (contracts/defs.json Name, interface.md). */
const MUST_REFUSE = ['', '/', 'a/b', '..', '.', '-', '-rf', '--help', '--pool=x', '-n', 'a\nb', 'a\rb', 'a\u0000b', '\n', 'x'.repeat(256), 'x'.repeat(4096), '../canary.txt', '/etc/passwd', 'a/../b'];
/** Names that may be accepted (then handled exactly) or refused with INVALID_ARGUMENT. */
const MAY_ACCEPT = [
  ';', 'a;touch X', '$(touch X)', '`touch X`', '$HOME', "'", '"', "a'b\"c", '\\', '*', '?', '[a]', '~', '~root', '%s%n', '{a,b}', '!', '#x', '&', '|cat', '>x', '<x',
  'a\tb', '\t', ' ', '   ', ' lead', 'trail ', 'a b', '\u00a0', '\ufeff', '\u202eevil.txt', '\u200f', '👨‍👩‍👧', 'e\u0301', '\u0301', '日本語', 'עברית', '\ud800', 'x\udfffy',
  '.hidden', '..a', '...', 'a.', '-'.padStart(2, 'a'), 'nbd:localhost:1', 'json:{}', 'file:x', 'a:b', 'a,b', 'con', 'NUL', 'x'.repeat(255), '€'.repeat(84), '€'.repeat(85), '€'.repeat(86),
  '😀'.repeat(63), '😀'.repeat(64), 'a.xml', 'default', 'x.state.json', '.x.xml.1.tmp'
];
const ALL = [...MUST_REFUSE, ...MAY_ACCEPT];
const label = (s: string) => JSON.stringify(s.length > 40 ? `${s.slice(0, 20)}…(${s.length})` : s);
const codeOf = (r: Msg | null) => (r ? (r.error ? String(r.error.data?.code) : 'ok') : 'no answer');

t.test('names and paths', async (t) => {
  const root = tempDir(t, 'sa-names-');
  const home = join(root, 'home');
  const cwd = join(root, 'cwd');
  const np = join(root, 'np');
  const pools = join(root, 'pools');
  const outside = join(root, 'outside');
  mkdirSync(cwd);
  mkdirSync(pools);
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(root, 'canary.txt'), 'canary\n');
  writeFileSync(join(outside, 'secret.txt'), 'secret\n'.repeat(1000));
  writeFileSync(join(outside, 'dir', 'inner.txt'), 'inner\n');
  const agent = new RawAgent(home, { cwd });
  t.teardown(() => {
    agent.child.kill('SIGKILL');
  });
  await agent.ok('pool.define', { name: 'np', type: 'dir', target: { path: np } });
  await agent.ok('pool.build', { pool: 'np' });
  await agent.ok('pool.start', { pool: 'np' });
  await agent.ok('vol.create', { pool: 'np', name: 'a.img', capacity: MIB });

  // Everything but the pools' own directories and the home: compared after every part.
  const keep = () => snapshot(root, [home, np, pools, join(root, 'realdir')]);
  const before = keep();
  const problems: string[] = [];
  const counts = { rpc: 0, cli: 0, lookups: 0, symlinks: 0, argv: 0 };
  const check = (when: string) => {
    for (const d of diffSnapshots(before, keep())) problems.push(`${when}: ${d}`);
    if (readdirSync(cwd).length) problems.push(`${when}: files appeared in the working directory: ${JSON.stringify(readdirSync(cwd))}`);
  };
  const poolDirFiles = () => readdirSync(join(home, 'pools'));
  /** A plan's argv: every element that carries the name must be an absolute path or the bare name, never an option. */
  const checkPlan = (what: string, name: string, r: Msg | null) => {
    const plan = (r?.result as { plan?: { argv?: string[] }[] } | undefined)?.plan ?? [];
    for (const step of plan) {
      for (const a of (step.argv ?? []).slice(1)) {
        // The name itself, or a path ending in it (POOL/NAME, POOL/.sa-partial-NAME): 'convert' is not built from 'con'.
        if (name === '' || (a !== name && !(a.endsWith(name) && a.includes('/')))) continue;
        counts.argv++;
        if (a.startsWith('-')) problems.push(`${what}: argv element ${label(a)} built from a name starts with '-'`);
        if (a !== name && !a.startsWith('/')) problems.push(`${what}: argv element ${label(a)} built from a name is not an absolute path`);
      }
    }
  };

  await t.test('pool names (fields and XML)', async () => {
    for (const [i, name] of ALL.entries()) {
      counts.rpc += 2;
      const target = join(pools, `p${i}`);
      const r = await agent.call('pool.define', { name, type: 'dir', target: { path: target } });
      const c = codeOf(r);
      if (c !== 'ok' && c !== 'INVALID_ARGUMENT' && !(c === 'POOL_EXISTS' && name === 'default')) problems.push(`pool.define ${label(name)}: ${c}: ${r?.error?.message.slice(0, 200)}`);
      if (c === 'ok' && MUST_REFUSE.includes(name)) problems.push(`pool.define ${label(name)}: accepted a name the spec refuses`);
      if (c === 'ok') {
        const listed = ((await agent.ok<{ pools: { name: string }[] }>('pool.list', {})).pools ?? []).filter((p) => p.name === name);
        if (listed.length !== 1) problems.push(`pool ${label(name)} defined but pool.list shows it ${listed.length} times`);
        const got = await agent.call('pool.get', { name });
        if ((got?.result as { name?: string } | undefined)?.name !== name) problems.push(`pool ${label(name)}: pool.get gives ${codeOf(got)} ${JSON.stringify((got?.result as { name?: string })?.name)}`);
        const steps: Array<[string, object]> = [
          ['pool.build', { pool: name }],
          ['pool.start', { pool: name }],
          ['vol.create', { pool: name, name: 'v.img', capacity: MIB }]
        ];
        for (const [m, p] of steps) {
          const s = await agent.code(m, p);
          if (s !== 'ok') problems.push(`pool ${label(name)}: ${m}: ${s}`);
        }
        if (!existsSync(join(target, 'v.img'))) problems.push(`pool ${label(name)}: the volume is not in its target`);
        const dump = await agent.call('pool.dumpXml', { pool: name });
        const xml = (dump?.result as { xml?: string } | undefined)?.xml ?? '';
        const back = parsePoolXml(xml);
        if (!back.ok || back.value.name !== name) problems.push(`pool ${label(name)}: dumpXml re-reads to ${back.ok ? label(back.value.name) : back.error.message}`);
        for (const [m, p] of [['vol.delete', { volume: { pool: name, vol: 'v.img' } }], ['pool.stop', { pool: name }], ['pool.delete', { pool: name }], ['pool.undefine', { pool: name }]] as Array<[string, object]>) {
          const s = await agent.code(m, p);
          if (s !== 'ok') problems.push(`pool ${label(name)}: ${m}: ${s}`);
        }
        if (existsSync(target)) problems.push(`pool ${label(name)}: pool.delete left its target`);
      }
      const esc = name.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      const x = await agent.call('pool.define', { xml: `<pool type='dir'><name>${esc}</name><target><path>${target}x</path></target></pool>` });
      const xc = codeOf(x);
      if (xc !== 'ok' && xc !== 'XML_ERROR' && !(xc === 'POOL_EXISTS' && name === 'default')) problems.push(`pool.define xml ${label(name)}: ${xc}: ${x?.error?.message.slice(0, 200)}`);
      if (xc === 'ok') {
        const got = (x?.result as { name: string; uuid: string }).name;
        // Leading and trailing text of an element is kept as it is: the name read is the name written.
        if (got !== name && !(name === '' || /[\r]/.test(name))) problems.push(`pool.define xml ${label(name)}: defined as ${label(got)}`);
        if (MUST_REFUSE.includes(name)) problems.push(`pool.define xml ${label(name)}: accepted a name the spec refuses`);
        const u = await agent.code('pool.undefine', { pool: (x?.result as { uuid: string }).uuid });
        if (u !== 'ok') problems.push(`pool ${label(name)} (xml): undefine: ${u}`);
      }
      for (const f of poolDirFiles()) {
        if (!f.endsWith('.xml')) continue;
        const p = parsePoolXml(readFileSync(join(home, 'pools', f), 'utf8'));
        if (!p.ok || `${p.value.name}.xml` !== f) problems.push(`after ${label(name)}: pools/${label(f)} is not a whole definition of its pool`);
      }
      const left = poolDirFiles().filter((f) => !/^(default|np)\.(xml|state\.json)$/.test(f));
      if (left.length) problems.push(`after pool ${label(name)}: left in the pools directory: ${JSON.stringify(left)}`);
      check(`pool ${label(name)}`);
    }
  });

  await t.test('volume names (fields, XML, qcow2 through qemu-img)', async () => {
    for (const name of ALL) {
      counts.rpc += 3;
      const r = await agent.call('vol.create', { pool: 'np', name, capacity: MIB });
      const c = codeOf(r);
      if (c !== 'ok' && c !== 'INVALID_ARGUMENT') problems.push(`vol.create ${label(name)}: ${c}: ${r?.error?.message.slice(0, 200)}`);
      if (c === 'ok' && MUST_REFUSE.includes(name)) problems.push(`vol.create ${label(name)}: accepted a name the spec refuses`);
      if (c === 'ok') {
        const files = readdirSync(np);
        if (!files.includes(name)) problems.push(`vol.create ${label(name)}: no file of exactly that name in the pool (${JSON.stringify(files.filter((f) => f !== 'a.img')).slice(0, 200)})`);
        const vols = (await agent.ok<{ volumes: { name: string }[] }>('vol.list', { pool: 'np' })).volumes;
        if (vols.filter((v) => v.name === name).length !== 1) problems.push(`vol ${label(name)}: vol.list shows it ${vols.filter((v) => v.name === name).length} times`);
        const byPath = await agent.code('vol.get', { path: join(np, name) });
        if (byPath !== 'ok') problems.push(`vol ${label(name)}: vol.get by path: ${byPath}`);
        const dump = await agent.call('vol.dumpXml', { volume: { pool: 'np', vol: name } });
        const back = parseVolXml((dump?.result as { xml?: string } | undefined)?.xml ?? '');
        if (!back.ok || back.value.name !== name) problems.push(`vol ${label(name)}: dumpXml re-reads to ${back.ok ? label(back.value.name) : back.error.message}`);
        const ref = { pool: 'np', vol: name };
        checkPlan(`vol.resize ${label(name)}`, name, await agent.call('vol.resize', { volume: ref, capacity: 2 * MIB, dryRun: true }));
        checkPlan(`vol.snapshot ${label(name)}`, name, await agent.call('vol.snapshot', { pool: 'np', name: 'snap.qcow2', from: ref, dryRun: true }));
        checkPlan(`vol.copy ${label(name)}`, name, await agent.call('vol.copy', { pool: 'np', name: 'copy.qcow2', from: ref, format: 'qcow2', dryRun: true }));
        for (const [m, p] of [['vol.resize', { volume: ref, capacity: 2 * MIB }], ['vol.wipe', { volume: ref }], ['vol.copy', { pool: 'np', name: 'copy.img', from: ref }], ['vol.delete', { volume: { pool: 'np', vol: 'copy.img' } }], ['vol.delete', { volume: ref }]] as Array<[string, object]>) {
          const s = await agent.code(m, p);
          if (s !== 'ok') problems.push(`vol ${label(name)}: ${m}: ${s}`);
        }
        if (readdirSync(np).includes(name)) problems.push(`vol ${label(name)}: still there after vol.delete`);
      }
      // qcow2: the name reaches qemu-img's argv.
      const q = await agent.call('vol.create', { pool: 'np', name, capacity: MIB, format: 'qcow2', dryRun: true });
      if (codeOf(q) === 'ok') checkPlan(`vol.create qcow2 ${label(name)}`, name, q);
      const qr = await agent.call('vol.create', { pool: 'np', name, capacity: MIB, format: 'qcow2' });
      const qc = codeOf(qr);
      if (qc !== 'ok' && qc !== 'INVALID_ARGUMENT') problems.push(`vol.create qcow2 ${label(name)}: ${qc}: ${qr?.error?.message.slice(0, 200)}`);
      if (qc === 'ok') {
        if (!readdirSync(np).includes(name)) problems.push(`vol.create qcow2 ${label(name)}: no file of exactly that name`);
        const d = await agent.code('vol.delete', { volume: { pool: 'np', vol: name } });
        if (d !== 'ok') problems.push(`vol ${label(name)} (qcow2): delete: ${d}`);
      }
      const esc = name.replace(/&/g, '&amp;').replace(/</g, '&lt;');
      const x = await agent.call('vol.create', { pool: 'np', xml: `<volume><name>${esc}</name><capacity>1048576</capacity></volume>` });
      const xc = codeOf(x);
      if (xc !== 'ok' && xc !== 'XML_ERROR') problems.push(`vol.create xml ${label(name)}: ${xc}: ${x?.error?.message.slice(0, 200)}`);
      if (xc === 'ok') {
        const got = (x?.result as { name: string }).name;
        if (got !== name) problems.push(`vol.create xml ${label(name)}: created as ${label(got)}`);
        const d = await agent.code('vol.delete', { volume: { pool: 'np', vol: got } });
        if (d !== 'ok') problems.push(`vol ${label(name)} (xml): delete: ${d}`);
      }
      const left = readdirSync(np).filter((f) => f !== 'a.img');
      if (left.length) problems.push(`after vol ${label(name)}: left in the pool: ${JSON.stringify(left).slice(0, 200)}`);
      check(`vol ${label(name)}`);
    }
  });

  await t.test('lookups by path and name outside the pool', async () => {
    const refs: object[] = [
      { path: join(np, '..', 'canary.txt') },
      { path: join(root, 'canary.txt') },
      { path: `${np}/../canary.txt` },
      { path: `${np}/sub/../../canary.txt` },
      { path: `${np}/.` },
      { path: `${np}/..` },
      { path: `${np}/` },
      { path: np },
      { path: '/etc/passwd' },
      { path: '/dev/null' },
      { path: '/' },
      { path: 'relative/canary.txt' },
      { path: `${np}//a.img/..` },
      { path: `${np}/a.img/` },
      { path: `${np}\u0000/a.img` },
      { key: join(root, 'canary.txt') },
      { key: '../canary.txt' },
      { pool: 'np', vol: '../canary.txt' },
      { pool: 'np', vol: '..' },
      { pool: 'np', vol: '.' },
      { pool: 'np', vol: '/etc/passwd' },
      { pool: 'np', vol: `../../${root.split('/').pop()}/canary.txt` },
      { pool: 'np', vol: 'a.img/' },
      { pool: 'np', vol: 'a.img\u0000x' },
      { pool: 'np', vol: 'x'.repeat(5000) },
      { pool: '..', vol: 'canary.txt' },
      { pool: `../${root.split('/').pop()}`, vol: 'canary.txt' }
    ];
    const LOOKUP = new Set(['NO_VOLUME', 'NO_POOL', 'INVALID_ARGUMENT', 'SANDBOX_DENIED']);
    for (const ref of refs) {
      for (const [m, p] of [
        ['vol.get', ref],
        ['vol.dumpXml', { volume: ref }],
        ['vol.delete', { volume: ref }],
        ['vol.wipe', { volume: ref }],
        ['vol.resize', { volume: ref, capacity: 4 * MIB }],
        ['vol.copy', { pool: 'np', name: 'copied.img', from: ref }],
        ['vol.snapshot', { pool: 'np', name: 'snap.qcow2', from: ref }]
      ] as Array<[string, object]>) {
        counts.lookups++;
        const c = await agent.code(m, p);
        if (!LOOKUP.has(c)) problems.push(`${m} ${JSON.stringify(ref).slice(0, 120)}: ${c}`);
        if (c === 'SANDBOX_DENIED') problems.push(`${m} ${JSON.stringify(ref).slice(0, 120)}: SANDBOX_DENIED (a lookup of a name no volume can have should be NO_VOLUME)`);
      }
    }
    // A path with `..` that resolves into the pool names that pool's volume.
    const inside = await agent.call('vol.get', { path: `${np}/../np/a.img` });
    if ((inside?.result as { name?: string } | undefined)?.name !== 'a.img') problems.push(`vol.get ${np}/../np/a.img: ${codeOf(inside)}`);
    if (JSON.stringify(readdirSync(np)) !== JSON.stringify(['a.img'])) problems.push(`lookups changed the pool: ${JSON.stringify(readdirSync(np))}`);
    check('lookups');
  });

  await t.test('symlinks planted in the pool target', async () => {
    const links: Array<[string, string]> = [
      ['link-file', join(outside, 'secret.txt')],
      ['link-dir', join(outside, 'dir')],
      ['link-dangling', join(outside, 'nothing')],
      ['link-rel', '../outside/secret.txt'],
      ['link-loop', 'link-loop'],
      ['link-canary', join(root, 'canary.txt')]
    ];
    for (const [n, to] of links) symlinkSync(to, join(np, n));
    mkdirSync(join(np, 'sub'));
    writeFileSync(join(np, 'sub', 'inner'), 'inner\n');
    writeFileSync(join(np, '-rf'), Buffer.alloc(MIB));
    writeFileSync(join(np, 'nl\nname'), Buffer.alloc(4096));
    spawnSync('mkfifo', [join(np, 'fifo')]);
    const planted = snapshot(root, [home, np, pools]);
    const st = (p: string) => {
      const s = statSync(p);
      return `${s.size} ${s.mtimeMs} ${readFileSync(p, 'utf8').length}`;
    };
    const secretBefore = st(join(outside, 'secret.txt'));
    const innerBefore = st(join(outside, 'dir', 'inner.txt'));

    const list = await agent.call('vol.list', { pool: 'np' });
    counts.symlinks++;
    if (codeOf(list) !== 'ok') problems.push(`vol.list with planted symlinks: ${codeOf(list)}: ${list?.error?.message}`);
    const names = ((list?.result as { volumes?: { name: string; type: string }[] } | undefined)?.volumes ?? []).map((v) => v.name);
    for (const [n] of links) if (names.includes(n)) problems.push(`vol.list lists the symlink ${n} as a volume`);
    if (names.includes('fifo')) problems.push('vol.list lists a FIFO as a volume');
    for (const n of ['a.img', '-rf', 'nl\nname', 'sub']) if (!names.includes(n)) problems.push(`vol.list misses ${label(n)}`);

    for (const n of [...links.map(([l]) => l), 'fifo']) {
      const ref = { pool: 'np', vol: n };
      for (const [m, p, ok] of [
        ['vol.get', ref, ['NO_VOLUME']],
        ['vol.get', { path: join(np, n) }, ['NO_VOLUME']],
        ['vol.delete', { volume: ref }, ['NO_VOLUME']],
        ['vol.delete', { volume: { path: join(np, n) } }, ['NO_VOLUME']],
        ['vol.wipe', { volume: ref }, ['NO_VOLUME']],
        ['vol.resize', { volume: ref, capacity: 8 * MIB }, ['NO_VOLUME']],
        ['vol.copy', { pool: 'np', name: `copy-${n}`, from: ref }, ['NO_VOLUME']],
        ['vol.snapshot', { pool: 'np', name: `snap-${n}`, from: ref }, ['NO_VOLUME']],
        ['vol.create', { pool: 'np', name: n, capacity: MIB }, ['VOLUME_EXISTS']],
        ['vol.create', { pool: 'np', name: n, capacity: MIB, format: 'qcow2' }, ['VOLUME_EXISTS']],
        ['vol.copy', { pool: 'np', name: n, from: { pool: 'np', vol: 'a.img' } }, ['VOLUME_EXISTS']],
        ['vol.snapshot', { pool: 'np', name: n, from: { pool: 'np', vol: 'a.img' } }, ['VOLUME_EXISTS']]
      ] as Array<[string, object, string[]]>) {
        counts.symlinks++;
        const c = await agent.code(m, p);
        if (!ok.includes(c)) problems.push(`${m} ${JSON.stringify(p).slice(0, 140)}: ${c} (expected ${ok.join(' or ')})`);
      }
    }
    if (st(join(outside, 'secret.txt')) !== secretBefore) problems.push('the file a symlink points to was changed');
    if (st(join(outside, 'dir', 'inner.txt')) !== innerBefore) problems.push('a file in the directory a symlink points to was changed');
    if (existsSync(join(outside, 'nothing'))) problems.push('the dangling symlink\'s target was created');
    for (const d of diffSnapshots(planted, snapshot(root, [home, np, pools]))) problems.push(`symlinks: ${d}`);

    // The planted regular files with hostile names are ordinary volumes.
    for (const n of ['-rf', 'nl\nname']) {
      const ref = { pool: 'np', vol: n };
      checkPlan(`vol.resize ${label(n)}`, n, await agent.call('vol.resize', { volume: ref, capacity: 2 * MIB, dryRun: true }));
      for (const [m, p] of [['vol.resize', { volume: ref, capacity: 2 * MIB }], ['vol.wipe', { volume: ref }], ['vol.delete', { volume: ref }]] as Array<[string, object]>) {
        counts.symlinks++;
        const c = await agent.code(m, p);
        if (c !== 'ok') problems.push(`${m} on planted ${label(n)}: ${c}`);
      }
    }
    // A directory in the pool is a dir volume: never emptied or removed through its name.
    for (const [m, p, want] of [['vol.delete', { volume: { pool: 'np', vol: 'sub' } }, ['INVALID_ARGUMENT', 'UNSUPPORTED']], ['vol.wipe', { volume: { pool: 'np', vol: 'sub' } }, ['UNSUPPORTED', 'INVALID_ARGUMENT']]] as Array<[string, object, string[]]>) {
      counts.symlinks++;
      const c = await agent.code(m, p);
      if (!want.includes(c)) problems.push(`${m} on a directory: ${c}`);
    }
    if (!existsSync(join(np, 'sub', 'inner'))) problems.push('a file inside a directory volume was removed');
    check('symlinks');
  });

  await t.test('a pool target that is a symlink', async () => {
    const real = join(root, 'realdir');
    mkdirSync(real);
    symlinkSync(real, join(pools, 'to-dir'));
    symlinkSync(join(outside, 'secret.txt'), join(pools, 'to-file'));
    symlinkSync(join(outside, 'nowhere'), join(pools, 'to-nothing'));
    const secretBefore = readFileSync(join(outside, 'secret.txt'), 'utf8');
    // To a directory: handled, volumes land in the real directory.
    counts.symlinks += 3;
    for (const [m, p] of [['pool.define', { name: 'lp', type: 'dir', target: { path: join(pools, 'to-dir') } }], ['pool.build', { pool: 'lp' }], ['pool.start', { pool: 'lp' }], ['vol.create', { pool: 'lp', name: 'x.img', capacity: MIB }]] as Array<[string, object]>) {
      const c = await agent.code(m, p);
      if (c !== 'ok') problems.push(`symlinked target: ${m}: ${c}`);
    }
    if (!existsSync(join(real, 'x.img'))) problems.push('symlinked target: the volume is not in the real directory');
    const vols = await agent.call('vol.list', { pool: 'lp' });
    if (!((vols?.result as { volumes?: { name: string }[] } | undefined)?.volumes ?? []).some((v) => v.name === 'x.img')) problems.push(`symlinked target: vol.list: ${codeOf(vols)}`);
    for (const [m, p] of [['vol.delete', { volume: { pool: 'lp', vol: 'x.img' } }], ['pool.stop', { pool: 'lp' }], ['pool.undefine', { pool: 'lp' }]] as Array<[string, object]>) {
      const c = await agent.code(m, p);
      if (c !== 'ok') problems.push(`symlinked target: ${m}: ${c}`);
    }
    // To a file, or to nothing: refused cleanly at build or start, nothing made at the far end.
    for (const n of ['to-file', 'to-nothing']) {
      const c0 = await agent.code('pool.define', { name: n, type: 'dir', target: { path: join(pools, n) } });
      if (c0 !== 'ok') problems.push(`target ${n}: define: ${c0}`);
      const b = await agent.code('pool.build', { pool: n });
      const s = await agent.code('pool.start', { pool: n });
      if (s === 'ok') problems.push(`target ${n}: pool.start succeeded on a target that is not a directory (build: ${b})`);
      for (const c of [b, s]) if (c === 'INTERNAL' || c === 'CONTRACT_VIOLATION' || c === 'no answer') problems.push(`target ${n}: ${c}`);
      await agent.code('pool.stop', { pool: n });
      await agent.code('pool.undefine', { pool: n });
    }
    if (readFileSync(join(outside, 'secret.txt'), 'utf8') !== secretBefore) problems.push('a pool target symlinked to a file changed that file');
    if (existsSync(join(outside, 'nowhere'))) problems.push('a pool target symlinked to nothing created its far end');
    check('symlinked targets');
  });

  await t.test('source fields a tool would read as an option', async () => {
    const hostile: Array<[string, object]> = [
      ['logical', { name: '-vg', devices: [{ path: '/dev/null' }] }],
      ['logical', { name: 'vg', devices: [{ path: '-x' }] }],
      ['logical', { name: 'vg', devices: [{ path: 'relative' }] }],
      ['fs', { devices: [{ path: '-x' }], format: 'ext4' }],
      ['fs', { devices: [{ path: 'relative' }], format: 'ext4' }],
      ['disk', { devices: [{ path: '--help' }] }],
      ['netfs', { hosts: [{ name: '-oProxyCommand=x' }], dir: '/e', format: 'nfs' }],
      ['netfs', { hosts: [{ name: 'h o' }], dir: '/e', format: 'nfs' }],
      ['netfs', { hosts: [{ name: 'h' }], dir: '-x', format: 'cifs' }]
    ];
    for (const [i, [type, source]] of hostile.entries()) {
      counts.rpc++;
      const target = type === 'logical' || type === 'disk' ? {} : { target: { path: join(pools, `src${i}`) } };
      const c = await agent.code('pool.define', { name: `src${i}`, type, source, ...target });
      if (c !== 'INVALID_ARGUMENT') problems.push(`pool.define ${type} ${JSON.stringify(source)}: ${c}`);
      if (c === 'ok') await agent.code('pool.undefine', { pool: `src${i}` });
    }
    for (const [m, p] of [['pool.findSources', { type: 'disk', device: '-x' }], ['pool.findSources', { type: 'logical', device: 'relative' }], ['pool.findSources', { type: 'netfs', host: '-oProxyCommand=x' }]] as Array<[string, object]>) {
      counts.rpc++;
      const c = await agent.code(m, p);
      if (c !== 'INVALID_ARGUMENT') problems.push(`${m} ${JSON.stringify(p)}: ${c}`);
    }
    // A definition stored before these checks (written here as a file): no operation hands it to a tool.
    writeFileSync(join(home, 'pools', 'old.xml'), `<pool type='fs'>\n  <name>old</name>\n  <source>\n    <device path='-x'/>\n    <format type='ext4'/>\n  </source>\n  <target>\n    <path>${join(pools, 'old')}</path>\n  </target>\n</pool>\n`);
    for (const m of ['pool.build', 'pool.start', 'pool.delete']) {
      counts.rpc++;
      const r = await agent.call(m, { pool: 'old', dryRun: true });
      if (codeOf(r) !== 'INVALID_ARGUMENT') problems.push(`${m} on a stored definition with device '-x': ${codeOf(r)} ${JSON.stringify(r?.result ?? r?.error?.message).slice(0, 200)}`);
    }
    const u = await agent.code('pool.undefine', { pool: 'old' });
    if (u !== 'ok') problems.push(`pool.undefine old: ${u}`);
    check('source fields');
  });

  await t.test('names on the command line', async () => {
    const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, '--home', home, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
    // Each case starts the CLI two to four times (about a second each): a few here, all in soak mode.
    const names = ['--help', '-rf', '$(touch X)', 'x'.repeat(256)];
    const more = ['..', 'a;touch X', '--home=/tmp', '-', '`touch X`', "'", 'a b', '\u202eevil', '--pool=x', '-h', ...MAY_ACCEPT];
    for (const given of SOAK ? [...names, ...more] : names) {
      counts.cli++;
      // argv is bytes: a lone surrogate reaches the process as U+FFFD, which is the name it gets.
      const name = Buffer.from(given, 'utf8').toString('utf8');
      const had = new Set(readdirSync(np));
      const r = cli('vol-create-as', 'np', given, '1M');
      const made = readdirSync(np).filter((f) => !had.has(f));
      if (r.status === 0 && made.length === 0 && !/usage/i.test(r.stdout + r.stderr)) problems.push(`cli vol-create-as ${label(name)}: exit 0 but nothing made`);
      if (r.status !== 0 && !/INVALID_ARGUMENT/.test(r.stderr)) problems.push(`cli vol-create-as ${label(name)}: exit ${r.status}: ${r.stderr.slice(0, 200)}`);
      if (MUST_REFUSE.includes(name) && made.length) problems.push(`cli vol-create-as ${label(name)}: made ${JSON.stringify(made)}`);
      for (const f of made) {
        if (f !== name) problems.push(`cli vol-create-as ${label(name)}: made ${label(f)} instead`);
        const d = cli('vol-delete', '--pool', 'np', '--', f);
        if (d.status !== 0) problems.push(`cli vol-delete ${label(f)}: exit ${d.status}: ${d.stderr.slice(0, 200)}`);
      }
      const p = cli('pool-define-as', given, 'dir', '--target', join(pools, 'cli'));
      const defined = poolDirFiles().filter((f) => f.endsWith('.xml') && !/^(default|np)\.xml$/.test(f));
      if (p.status !== 0 && !/INVALID_ARGUMENT/.test(p.stderr) && !(name === 'default' && /POOL_EXISTS/.test(p.stderr))) problems.push(`cli pool-define-as ${label(name)}: exit ${p.status}: ${p.stderr.slice(0, 200)}`);
      if (MUST_REFUSE.includes(name) && defined.length) problems.push(`cli pool-define-as ${label(name)}: defined ${JSON.stringify(defined)}`);
      for (const f of defined) {
        if (f !== `${name}.xml`) problems.push(`cli pool-define-as ${label(name)}: defined ${label(f)}`);
        const u = cli('pool-undefine', '--', f.slice(0, -4));
        if (u.status !== 0) problems.push(`cli pool-undefine ${label(f)}: exit ${u.status}: ${u.stderr.slice(0, 200)}`);
      }
      check(`cli ${label(name)}`);
    }
  });

  t.same(agent.noise, [], 'nothing but JSON on stdout');
  t.ok((await agent.call('agent.version'))?.result, 'serve still answers');
  recordFigure({ suite: SUITE, metric: 'rpc_name_cases', value: counts.rpc });
  recordFigure({ suite: SUITE, metric: 'cli_name_cases', value: counts.cli });
  recordFigure({ suite: SUITE, metric: 'path_lookups', value: counts.lookups });
  recordFigure({ suite: SUITE, metric: 'symlink_cases', value: counts.symlinks });
  recordFigure({ suite: SUITE, metric: 'plan_argv_checked', value: counts.argv });
  recordFigure({ suite: SUITE, metric: 'failures', value: problems.length });
  if (process.env['FUZZ_PROBLEMS']) writeFileSync(process.env['FUZZ_PROBLEMS'], `${problems.join('\n')}\n`);
  t.equal(problems.length, 0, `refused or handled exactly, nothing outside the pools touched${problems.length ? `: ${problems.slice(0, 10).join(' | ')}` : ''}`);
  t.equal(await agent.close(), 0, 'EOF: exit 0');
});

t.test('recorded tool argv (golden/): nothing built from a name reads as an option', async (t) => {
  let files = 0;
  let checked = 0;
  const problems: string[] = [];
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.json') ? [join(d, e.name)] : []));
  for (const f of walk(GOLDEN_DIR)) {
    const g = JSON.parse(readFileSync(f, 'utf8')) as { input?: Record<string, unknown>; calls?: { kind: string; argv?: string[] }[]; fsRoot?: string | null };
    const input = g.input ?? {};
    const obj = (v: unknown) => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});
    const pool = obj(input['pool']);
    // Strings a user chose: volume and pool names (the pool's VG name for LVM).
    const names = [input['name'], obj(input['volume'])['name'], obj(input['from'])['name'], pool['name'], obj(pool['source'])['name']].filter((s): s is string => typeof s === 'string' && s.length > 0);
    const execs = (g.calls ?? []).filter((c) => c.kind === 'exec' && Array.isArray(c.argv));
    if (!execs.length) continue;
    files++;
    for (const c of execs) {
      const argv = c.argv as string[];
      for (const [i, a] of argv.entries()) {
        if (i === 0) continue;
        const fromName = names.some((n) => a === n || (a.endsWith(n) && a.includes('/')) || a.startsWith(`${n}/`));
        if (!fromName) continue;
        checked++;
        if (a.startsWith('-')) problems.push(`${f}: ${JSON.stringify(argv)}: ${a} starts with '-'`);
        // `of=/dev/x` (dd's operands): the path is the value after '='.
        const value = /^[a-z]+=/.test(a) ? a.slice(a.indexOf('=') + 1) : a;
        // `VG/LV` is LVM's name for a logical volume, not a file path.
        const lvName = /^(lv|vg|pv)[a-z]*$/.test(argv[0] ?? '') && /^[^/]+\/[^/]+$/.test(value);
        if (value.includes('/') && !value.startsWith('/') && !lvName) problems.push(`${f}: ${JSON.stringify(argv)}: ${a} is a relative path`);
      }
    }
  }
  recordFigure({ suite: SUITE, metric: 'golden_files_audited', value: files });
  recordFigure({ suite: SUITE, metric: 'golden_argv_name_args', value: checked });
  recordFigure({ suite: SUITE, metric: 'golden_argv_failures', value: problems.length });
  t.ok(files > 50 && checked > 50, `audited ${files} transcripts, ${checked} arguments built from names`);
  t.same(problems, [], 'every argument built from a name is an absolute path or a bare name that cannot start with -');
});
