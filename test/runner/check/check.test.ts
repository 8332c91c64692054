// `storage-agent check` is clean on the tree, and catches what it is for.
import t from 'tap';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import tsModule from 'typescript';
import type * as TS from 'typescript';
const ts = tsModule as unknown as typeof TS;
import { runCheck } from '../../../runner/check/check.js';
import { importProblems } from '../../../runner/check/imports.js';
import { REPO } from '../../helpers/paths.js';

t.test('the scriptlet tree passes check', async (t) => {
  t.same(await runCheck(), [], 'no problems');
});

t.test('import rules', async (t) => {
  const root = join(REPO, 'scriptlets');
  const api = join(REPO, 'runner', 'scriptlet', 'api.ts');
  const file = join(root, 'x-1', 'vol-list.ts');
  const check = (src: string) => importProblems(ts, file, src, root, api);
  t.same(check("import { defineScriptlet } from '../../runner/scriptlet/api.js';\nimport { x } from '../lib/parted.js';"), [], 'the API and lib are fine');
  t.same(check("import type { Volume } from '../../runner/contracts/generated.js';"), [], 'types are fine');
  t.equal(check("import fs from 'node:fs';").length, 1, 'node:fs');
  t.equal(check("import { execa } from 'execa';").length, 1, 'a package');
  t.equal(check("import { x } from '../../runner/exec/run-command.js';").length, 1, 'runner internals');
  t.equal(check("const m = await import('node:child_process');").length > 0, true, 'dynamic import');
  t.equal(check('process.exit(1);').length, 1, 'the process global');
  t.equal(check('const o = { process: 1 }; o.process;').length, 0, 'a property named process is not the global');
  t.equal(check("globalThis['fetch']('x');").length, 1, 'globalThis');
  t.ok(readFileSync(api, 'utf8').includes('defineScriptlet'), 'the API file exists where check looks');
});
