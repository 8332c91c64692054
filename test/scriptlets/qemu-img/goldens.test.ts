// Self-check of the qemu-img goldens (the replay proper is test/golden/replay.test.ts): each names
// a qemu-img scriptlet whose range holds its version; its commands are the series' argv (-b alone
// before 6.1, -b with -F from 6.1); the file written is consistent with what qemu-img said it made
// (the qcow2 header's virtual size equals the size= of the "Formatting" line); and every failed
// qemu-img run maps through classify() to the code the golden expects.
import t from 'tap';
import semver from 'semver';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeVersion } from '../../../runner/probe/version.js';
import type { Golden, GoldenCall } from '../../../runner/golden/types.js';
import type { CommandResult, ScriptletDef, OperationName } from '../../../runner/scriptlet/api.js';
import { classify } from '../../../scriptlets/lib/qemu-img.js';
import { decodeBase64, readHeader } from '../../../scriptlets/lib/image-header.js';
import { GOLDEN_DIR } from '../../helpers/paths.js';
import { Registry } from '../../../runner/scriptlet/registry.js';

// The ranges as the agent uses them: declared, ended where the next series starts.
const REGISTRY = await Registry.load();
import copy211 from '../../../scriptlets/qemu-img-2.11/vol-copy.js';
import create211 from '../../../scriptlets/qemu-img-2.11/vol-create.js';
import resize211 from '../../../scriptlets/qemu-img-2.11/vol-resize.js';
import snapshot211 from '../../../scriptlets/qemu-img-2.11/vol-snapshot.js';
import wipe211 from '../../../scriptlets/qemu-img-2.11/vol-wipe.js';
import copy61 from '../../../scriptlets/qemu-img-6.1/vol-copy.js';
import create61 from '../../../scriptlets/qemu-img-6.1/vol-create.js';
import resize61 from '../../../scriptlets/qemu-img-6.1/vol-resize.js';
import snapshot61 from '../../../scriptlets/qemu-img-6.1/vol-snapshot.js';
import wipe61 from '../../../scriptlets/qemu-img-6.1/vol-wipe.js';

const DEFS: Record<string, ScriptletDef<OperationName>> = {
  'qemu-img-2.11/vol-copy': copy211 as ScriptletDef<OperationName>,
  'qemu-img-2.11/vol-create': create211 as ScriptletDef<OperationName>,
  'qemu-img-2.11/vol-resize': resize211 as ScriptletDef<OperationName>,
  'qemu-img-2.11/vol-snapshot': snapshot211 as ScriptletDef<OperationName>,
  'qemu-img-2.11/vol-wipe': wipe211 as ScriptletDef<OperationName>,
  'qemu-img-6.1/vol-copy': copy61 as ScriptletDef<OperationName>,
  'qemu-img-6.1/vol-create': create61 as ScriptletDef<OperationName>,
  'qemu-img-6.1/vol-resize': resize61 as ScriptletDef<OperationName>,
  'qemu-img-6.1/vol-snapshot': snapshot61 as ScriptletDef<OperationName>,
  'qemu-img-6.1/vol-wipe': wipe61 as ScriptletDef<OperationName>
};

type Exec = Extract<GoldenCall, { kind: 'exec' }>;
type Fs = Extract<GoldenCall, { kind: 'fs' }>;

const files = readdirSync(GOLDEN_DIR)
  .filter((d) => d.startsWith('qemu-img-'))
  .flatMap((d) => readdirSync(join(GOLDEN_DIR, d)).filter((f) => f.endsWith('.json')).map((f) => join(d, f)));
const load = (f: string) => JSON.parse(readFileSync(join(GOLDEN_DIR, f), 'utf8')) as Golden;
const execs = (g: Golden) => g.calls.filter((c): c is Exec => c.kind === 'exec');
const qemuRuns = (g: Golden) => execs(g).filter((c) => c.argv[0] === 'qemu-img');

t.test('every qemu-img-2.11 scriptlet that runs qemu-img has an old-version golden, and errors are covered', async (t) => {
  const old = files.map(load).filter((g) => g.scriptlet.startsWith('qemu-img-2.11/'));
  for (const id of Object.keys(DEFS).filter((k) => k.startsWith('qemu-img-2.11/'))) {
    t.ok(old.some((g) => g.scriptlet === id && qemuRuns(g).length > 0), `${id} has a golden that runs qemu-img`);
  }
  const codes = new Set(old.map((g) => (g.result.ok ? 'ok' : g.result.error.code)));
  for (const c of ['ok', 'NO_SPACE', 'PERMISSION_DENIED', 'TOOL_FAILED']) t.ok(codes.has(c), `a pre-6.1 golden ends in ${c}`);
});

for (const f of files) {
  t.test(f, async (t) => {
    const g = load(f);
    const def = DEFS[g.scriptlet];
    t.ok(def, `${g.scriptlet} is a qemu-img scriptlet`);
    if (!def) return;
    t.equal(g.tool, 'qemu-img');
    t.equal(f.split('/')[0], `qemu-img-${g.version}`, 'folder is tool-version');
    const v = normalizeVersion(g.version);
    const range = REGISTRY.byId(g.scriptlet)?.range ?? def.versions;
    t.ok(v !== null && semver.satisfies(v, range), `${g.version} is in ${range}`);
    t.ok(g.source.includes(g.version), 'source names the version it came from');

    const old = g.scriptlet.startsWith('qemu-img-2.11/');
    for (const c of qemuRuns(g)) {
      t.notOk(c.argv.includes('--'), 'no -- in argv');
      const b = c.argv.indexOf('-b');
      if (b !== -1) {
        if (old) t.notOk(c.argv.includes('-F'), `pre-6.1 series: -b without -F (${c.argv.join(' ')})`);
        else t.equal(c.argv[b + 2], '-F', `6.1 series: -F follows -b (${c.argv.join(' ')})`);
      }
      // qemu-img 5.1 to 6.0 warn about -b without -F, yet succeed: the result must not suffer.
      if (old && b !== -1 && c.exitCode === 0 && v !== null && semver.gte(v, '5.1.0')) {
        t.match(c.stderr, /warning: Deprecated use of backing file without explicit backing format/, 'the deprecation warning is in the transcript');
        t.ok(g.result.ok, 'and the run still succeeds');
      }
    }

    // What qemu-img said it formatted is what the file's header holds.
    const formatted = qemuRuns(g).filter((c) => c.exitCode === 0 && c.argv[1] === 'create');
    for (const c of formatted) {
      const m = /^Formatting '([^']+)', fmt=(\S+) .*\bsize=(\d+)\b/m.exec(c.stdout);
      t.ok(m, `create printed its Formatting line (${c.stdout.trim()})`);
      if (!m) continue;
      t.ok(c.argv.includes(m[1] as string), 'for the path in argv');
      const name = (m[1] as string).slice((g.fsRoot ?? '').length + 1);
      // The file is read back by a stat, or (made under its partial name) by the rename that
      // publishes it, which answers with the stat of the volume.
      const stat = g.calls.find((x): x is Fs => x.kind === 'fs' && (x.op === 'stat' || x.op === 'rename') && x.args[0] === name && x.result.ok && x.result.value !== null);
      if (!stat) continue; // vol.wipe does not read the file back
      const header = readHeader(decodeBase64((stat.result as { value: { header: string } }).value.header));
      t.equal(header.format, m[2], 'header format is the fmt= printed');
      t.equal(header.capacity, Number(m[3]), 'header virtual size is the size= printed');
    }

    // Failed qemu-img runs map to the golden's code.
    const failed = qemuRuns(g).filter((c) => c.exitCode !== 0);
    if (!g.result.ok && ['NO_SPACE', 'PERMISSION_DENIED', 'TOOL_FAILED'].includes(g.result.error.code)) {
      t.equal(failed.length, 1, 'a tool-error golden has its one failed qemu-img run');
      const c = failed[0];
      if (c) {
        const r: CommandResult = { argv: c.argv, exitCode: c.exitCode, signal: c.signal, stdout: c.stdout, stderr: c.stderr, failed: true, timedOut: c.timedOut, truncated: false };
        const code = g.result.error.code;
        t.equal(classify(r), code === 'TOOL_FAILED' ? null : code, `classify(${JSON.stringify(c.stderr.split('\n')[0])})`);
      }
    } else {
      t.equal(failed.length, 0, 'no failed qemu-img run (success, or refused before running qemu-img)');
    }
  });
}
