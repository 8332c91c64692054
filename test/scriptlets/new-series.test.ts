// A new tool version is one folder and its goldens: in a copy of the tree (a git repository of
// scriptlets/ and golden/, with the compiled tree beside it), an ops engineer adds an lvm2 series
// and a parted series, each one folder with one operation that overrides the older series' and a
// golden for it. Nothing else is edited: the registry ends the older series' range where the new
// one starts, probe picks the new scriptlet for the new version and the older series for every
// other operation, older versions stay with the older series, check passes, and `git status`
// shows only the two folders and their goldens.
//
// The new versions' goldens are this host's recorded transcripts (lvm2 2.03.16, parted 3.5)
// presented as the new versions: a fixture for the mechanics of adding a series, in the copy only,
// never shipped (the source says so). The fake `lvm` and `parted` on the tool path only print the
// new versions for the probe.
import t from 'tap';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import tsModule from 'typescript';
import type * as TS from 'typescript';
import { Registry } from '../../runner/scriptlet/registry.js';
import { runCheck } from '../../runner/check/check.js';
import { invoke } from '../../runner/scriptlet/invoke.js';
import { ReplayExecutor } from '../../runner/golden/replay.js';
import { createService } from '../../runner/service/context.js';
import { probe } from '../../runner/service/agent.js';
import type { Golden } from '../../runner/golden/types.js';
import type { OperationName } from '../../runner/scriptlet/api.js';
import { DIST, REPO, tempDir } from '../helpers/paths.js';
import { testRuntime } from '../helpers/runtime.js';

const ts = tsModule as unknown as typeof TS;

const LVM_SERIES = `// lvm2 2.03.17 added --reportformat json_std (WHATS_NEW 2.03.17: numbers as numbers). Only
// vol.list is overridden here; every other operation stays lvm2-2.03's.
import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { volList } from '../lib/lvm-ops.js';
import { LVM2_2_03 } from '../lvm2-2.03/dialect.js';
import base from '../lvm2-2.03/vol-list.js';

const D = { ...LVM2_2_03, series: 'lvm2-2.03.17', why: 'lvm2 2.03.17 added json_std (WHATS_NEW 2.03.17); its parser reads strings and numbers alike.' };

export default defineScriptlet({ ...base, versions: '>=2.3.17 <2.4.0', why: \`\${D.why} Volumes are the lvs report of the VG.\`, run: (ctx, input) => volList(ctx, input, D) });
`;

const PARTED_SERIES = `// parted 3.6 (NEWS 3.6: type-id and type-uuid). Only vol.list is overridden here; every other
// operation stays parted-3.4.64's.
import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { volList } from '../lib/parted-ops.js';
import { PARTED_3_4_64 } from '../parted-3.4.64/dialect.js';
import base from '../parted-3.4.64/vol-list.js';

export default defineScriptlet({
  ...base,
  versions: '>=3.6.0',
  why: 'parted 3.6 (NEWS 3.6 added type-id and type-uuid); --json read as from 3.4.64. \`print free\`: one block volume per partition.',
  run: (ctx, input) => volList(ctx, PARTED_3_4_64, input)
});
`;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', '-c', 'core.hooksPath=/dev/null', ...args], { cwd, encoding: 'utf8' });

/** Writes a series file in the copy's source tree and its compiled form beside it, as the build would. */
function addScriptlet(copy: string, id: string, source: string): void {
  const src = join(copy, 'scriptlets', `${id}.ts`);
  mkdirSync(dirname(src), { recursive: true });
  writeFileSync(src, source);
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
  const out = join(copy, 'dist', 'scriptlets', `${id}.js`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, js);
}

/** A golden for the new version, from this host's recorded transcript of the version before it. */
function addGolden(copy: string, from: string, tool: string, version: string, scriptlet: string): string {
  const g = JSON.parse(readFileSync(join(REPO, 'golden', from), 'utf8')) as Golden;
  const rel = join(`${tool}-${version}`, from.split('/')[1] as string);
  const out: Golden = {
    ...g,
    scriptlet,
    version,
    source: `test fixture (test/scriptlets/new-series.test.ts, never shipped): golden/${from}, recorded from the real ${tool} ${g.version}, replayed as ${version} to add a series`
  };
  mkdirSync(join(copy, 'golden', `${tool}-${version}`), { recursive: true });
  writeFileSync(join(copy, 'golden', rel), `${JSON.stringify(out, null, 2)}\n`);
  return rel;
}

t.test('a new lvm2 and parted series: one folder each, nothing else edited', async (t) => {
  const copy = tempDir(t, 'sa-series-');
  cpSync(join(REPO, 'scriptlets'), join(copy, 'scriptlets'), { recursive: true });
  cpSync(join(REPO, 'golden'), join(copy, 'golden'), { recursive: true });
  cpSync(join(DIST, 'scriptlets'), join(copy, 'dist', 'scriptlets'), { recursive: true });
  rmSync(join(copy, 'dist', 'scriptlets', 'manifest.json'), { force: true });
  // The scriptlet API the compiled scriptlets import (a leaf: it imports nothing of the runner).
  cpSync(join(DIST, 'runner', 'scriptlet', 'api.js'), join(copy, 'dist', 'runner', 'scriptlet', 'api.js'));
  // ES modules, as the package says for its own tree (package.json "type": "module").
  writeFileSync(join(copy, 'dist', 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(copy, '.gitignore'), 'dist/\n');
  git(copy, 'init', '-q');
  git(copy, 'add', '-A');
  git(copy, 'commit', '-qm', 'the tree as shipped');

  const dirs = [join(copy, 'dist', 'scriptlets')];
  const before = await Registry.load(dirs);

  addScriptlet(copy, 'lvm2-2.03.17/vol-list', LVM_SERIES);
  addScriptlet(copy, 'parted-3.6/vol-list', PARTED_SERIES);
  const lvmGolden = addGolden(copy, 'lvm2-2.03.16/two-lvs-vol-list.json', 'lvm2', '2.03.17', 'lvm2-2.03.17/vol-list');
  const partedGolden = addGolden(copy, 'parted-3.5/gpt-3-vol-list.json', 'parted', '3.6', 'parted-3.6/vol-list');

  const status = git(copy, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean).sort();
  t.same(status, [
    `?? golden/${lvmGolden}`,
    `?? golden/${partedGolden}`,
    '?? scriptlets/lvm2-2.03.17/vol-list.ts',
    '?? scriptlets/parted-3.6/vol-list.ts'
  ], 'git status: only the new folders and their goldens');

  const reg = await Registry.load(dirs);
  t.equal(reg.all.length, before.all.length + 2, 'two scriptlets more, none changed');
  const pick = (op: string, poolType: string, tool: string, v: string) => {
    const s = reg.select(op, poolType, tool, v);
    return s.ok ? s.scriptlet.id : null;
  };
  t.equal(pick('vol.list', 'logical', 'lvm2', '2.3.17'), 'lvm2-2.03.17/vol-list', 'the new lvm2 series serves its version');
  t.equal(pick('vol.list', 'logical', 'lvm2', '2.3.38'), 'lvm2-2.03.17/vol-list');
  t.equal(pick('vol.get', 'logical', 'lvm2', '2.3.17'), 'lvm2-2.03/vol-get', 'operations it does not override stay with lvm2-2.03');
  t.equal(pick('vol.list', 'logical', 'lvm2', '2.3.16'), 'lvm2-2.03/vol-list', 'older versions stay with the older series');
  t.equal(pick('vol.list', 'logical', 'lvm2', '2.2.133'), 'lvm2-2.02.98/vol-list');
  t.equal(pick('vol.list', 'logical', 'lvm2', '2.4.0'), null, 'the declared end still holds');
  t.equal(reg.byId('lvm2-2.03/vol-list')?.range, '>=2.3.0 <2.4.0 <2.3.17', 'the registry ended lvm2-2.03 where 2.03.17 starts');
  t.equal(reg.byId('lvm2-2.03/vol-list')?.def.versions, '>=2.3.0 <2.4.0', 'its declaration is untouched');
  t.equal(pick('vol.list', 'disk', 'parted', '3.6.0'), 'parted-3.6/vol-list', 'the new parted series serves its version');
  t.equal(pick('vol.resize', 'disk', 'parted', '3.6.0'), 'parted-3.4.64/vol-resize', 'the rest stays with parted-3.4.64');
  t.equal(pick('vol.list', 'disk', 'parted', '3.5.0'), 'parted-3.4.64/vol-list', 'parted 3.5 stays with parted-3.4.64');
  t.equal(pick('vol.list', 'disk', 'parted', '3.4.0'), 'parted-3.1/vol-list');

  t.same(
    await runCheck({ scriptletDirs: dirs, sourceRoot: join(copy, 'scriptlets'), goldenDir: join(copy, 'golden'), apiFile: join(copy, 'runner', 'scriptlet', 'api.ts') }),
    [],
    'check passes on the copy'
  );

  // Probe on a host whose lvm and parted are the new versions (fake binaries that print a version).
  const bin = join(copy, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'lvm'), "#!/bin/sh\necho '  LVM version:     2.03.17(2) (2022-11-10)'\n");
  writeFileSync(join(bin, 'parted'), "#!/bin/sh\necho 'parted (GNU parted) 3.6'\n");
  chmodSync(join(bin, 'lvm'), 0o755);
  chmodSync(join(bin, 'parted'), 0o755);
  const rt = await testRuntime(t, { scriptletDirs: dirs, sandboxRoots: [DIST, join(copy, 'dist')], toolPath: bin });
  const p = await probe(createService(rt), { refresh: true });
  t.ok(p.ok);
  if (p.ok) {
    const chosen = (poolType: string, operation: string) => p.value.operations.find((o) => o.poolType === poolType && o.operation === operation);
    t.equal(chosen('logical', 'vol.list')?.scriptlet, 'lvm2-2.03.17/vol-list', 'probe picks the new lvm2 series');
    t.match(chosen('logical', 'vol.list')?.reason, /^lvm2 2\.03\.17 is in >=2\.3\.17 <2\.4\.0: /);
    t.equal(chosen('logical', 'vol.get')?.scriptlet, 'lvm2-2.03/vol-get');
    t.equal(chosen('disk', 'vol.list')?.scriptlet, 'parted-3.6/vol-list', 'probe picks the new parted series');
    t.equal(chosen('disk', 'vol.resize')?.scriptlet, 'parted-3.4.64/vol-resize');
  }

  // The new goldens and the older versions' replay in the copy's sandbox, each with its series.
  const replay = async (rel: string) => {
    const g = JSON.parse(readFileSync(join(copy, 'golden', rel), 'utf8')) as Golden;
    const s = rt.registry.byId(g.scriptlet);
    if (!s) throw new Error(`no ${g.scriptlet}`);
    const executor = new ReplayExecutor(g.calls);
    const o = await invoke(rt, {
      op: s.def.operation as OperationName, poolType: s.def.poolTypes[0] as never, input: g.input, fsRoot: g.fsRoot, dryRun: g.dryRun,
      pinned: { scriptletId: g.scriptlet, version: g.version, host: g.host, executor }
    });
    t.same(executor.problems, [], `${rel}: every call as recorded`);
    t.equal(executor.unused(), 0, `${rel}: no call left`);
    if (!o.result.ok) t.comment(`${rel}: ${o.result.error.code}: ${o.result.error.message}`);
    t.same(o.result, g.result, `${rel}: same result (${g.scriptlet})`);
  };
  for (const rel of [lvmGolden, partedGolden, 'lvm2-2.03.16/two-lvs-vol-list.json', 'lvm2-2.03.11/vol-list-two-lvs.json', 'parted-3.5/gpt-3-vol-list.json']) await replay(rel);
});

t.test('what check says when a new series is added wrongly', async (t) => {
  const copy = tempDir(t, 'sa-series-');
  cpSync(join(DIST, 'scriptlets'), join(copy, 'dist', 'scriptlets'), { recursive: true });
  rmSync(join(copy, 'dist', 'scriptlets', 'manifest.json'), { force: true });
  cpSync(join(DIST, 'runner', 'scriptlet', 'api.js'), join(copy, 'dist', 'runner', 'scriptlet', 'api.js'));
  writeFileSync(join(copy, 'dist', 'package.json'), '{ "type": "module" }\n');
  // Starts where lvm2-2.03 starts: a real overlap. Named for a version it does not start at.
  addScriptlet(copy, 'lvm2-2.03.17/vol-list', LVM_SERIES.replace("'>=2.3.17 <2.4.0'", "'>=2.3.0'"));
  const problems = await runCheck({ scriptletDirs: [join(copy, 'dist', 'scriptlets')], sourceRoot: join(copy, 'scriptlets'), goldenDir: join(REPO, 'golden') });
  t.ok(problems.some((p) => /lvm2-2\.03\.17\/vol-list .*overlap for vol\.list on logical: give each series its own start/.test(p)), 'the overlap, with the fix');
  t.ok(problems.some((p) => /lvm2-2\.03\.17\/vol-list: starts at 2\.3\.0 .*folder should be named for that first version \(lvm2-2\.3\.0/.test(p)), 'the naming rule');
  t.ok(problems.some((p) => /lvm2-2\.03\.17\/vol-list: has no golden/.test(p)), 'a golden is required');
});
