// Every golden transcript, replayed: the scriptlet runs in the sandbox, its commands and file
// operations are answered from the transcript in order; an unexpected call, an unused one, or a
// different result fails.
import t from 'tap';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { invoke } from '../../runner/scriptlet/invoke.js';
import { ReplayExecutor } from '../../runner/golden/replay.js';
import type { Golden } from '../../runner/golden/types.js';
import type { OperationName } from '../../runner/scriptlet/api.js';
import { GOLDEN_DIR } from '../helpers/paths.js';
import { testRuntime } from '../helpers/runtime.js';

function goldenFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...goldenFiles(p));
    else if (e.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

export async function replayGolden(rt: Awaited<ReturnType<typeof testRuntime>>, g: Golden) {
  const executor = new ReplayExecutor(g.calls);
  const s = rt.registry.byId(g.scriptlet);
  if (!s) throw new Error(`no scriptlet ${g.scriptlet}`);
  const o = await invoke(rt, {
    op: s.def.operation as OperationName,
    poolType: (s.def.poolTypes[0] ?? 'host') as never,
    input: g.input,
    fsRoot: g.fsRoot,
    dryRun: g.dryRun,
    pinned: { scriptletId: g.scriptlet, version: g.version, host: g.host, executor }
  });
  return { o, executor };
}

t.test('golden transcripts replay', async (t) => {
  const rt = await testRuntime(t);
  const files = goldenFiles(GOLDEN_DIR);
  t.ok(files.length > 0, 'there are goldens');
  for (const f of files) {
    const g = JSON.parse(readFileSync(f, 'utf8')) as Golden;
    await t.test(relative(GOLDEN_DIR, f), async (t) => {
      const { o, executor } = await replayGolden(rt, g);
      t.same(executor.problems, [], 'every call was the next one in the transcript');
      t.equal(executor.unused(), 0, 'no transcript call left unused');
      if (g.result.ok) {
        t.ok(o.result.ok, `succeeds${o.result.ok ? '' : `: ${o.result.error.code} ${o.result.error.message}`}`);
        if (o.result.ok) t.same(o.result.value, g.result.value, 'same normalized result');
      } else {
        t.equal(o.result.ok ? 'ok' : o.result.error.code, g.result.error.code, 'same error code');
      }
    });
  }
});
