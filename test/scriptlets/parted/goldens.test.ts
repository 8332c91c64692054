// Replays every golden of this area (golden/parted-*, golden/util-linux-*, golden/coreutils-*)
// through its scriptlet with the test replay context: every call used in order, the same
// result (errors by code). The runner's own harness (test/golden/replay.test.ts) replays them
// too once it lands; this one keeps the scriptlets honest until then.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { replayCtx, type Call } from '../helpers/ctx.js';
import type { ScriptletDef } from '../../../runner/scriptlet/api.js';
import semver from 'semver';
import { normalizeVersion } from '../../../runner/probe/version.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const goldenDir = join(root, 'golden');
const dirs = readdirSync(goldenDir).filter((d) => /^(parted|util-linux|coreutils)-/.test(d));

t.ok(dirs.length >= 9, 'goldens exist');
for (const dir of dirs) {
  for (const file of readdirSync(join(goldenDir, dir)).filter((f) => f.endsWith('.json'))) {
    t.test(`${dir}/${file}`, async (t) => {
      const g = JSON.parse(readFileSync(join(goldenDir, dir, file), 'utf8'));
      const mod = (await import(join(root, 'dist', 'scriptlets', `${g.scriptlet}.js`))) as { default: ScriptletDef };
      const def = mod.default;
      const norm = normalizeVersion(g.version);
      t.ok(norm && semver.satisfies(norm, def.versions), `${g.version} is in ${def.versions}`);
      const ctx = replayCtx(g.calls as Call[], g.version, { fsRoot: g.fsRoot });
      const res = await def.run(ctx, g.input);
      t.equal(ctx.remaining(), 0, 'every recorded call used');
      if (g.result.ok) t.same(res, g.result);
      else t.same(res.ok ? 'ok' : res.error.code, g.result.error.code);
    });
  }
}
