// Self-check of the lsblk goldens (the replay harness proper is test/golden/replay.test.ts): each
// file parses, names one of these scriptlets and a version in its range, its first command is the
// argv the scriptlet builds, recordings are copied verbatim, and a replay gives the stored result.
import t from 'tap';
import semver from 'semver';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeVersion } from '../../../runner/probe/version.js';
import { RECORDINGS, replayContext, type ExecCall } from './helpers.js';
import { seriesById } from './series.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const GOLDEN = join(ROOT, 'golden');

interface Golden {
  scriptlet: string;
  tool: string;
  version: string;
  case: string;
  source: string;
  host: { deviceMapper: boolean; root: boolean };
  fsRoot: string | null;
  dryRun: boolean;
  input: unknown;
  calls: ExecCall[];
  result: { ok: true; value: unknown } | { ok: false; error: { code: string } };
  note?: string;
}

const files = readdirSync(GOLDEN)
  .filter((d) => d.startsWith('lsblk-'))
  .flatMap((d) => readdirSync(join(GOLDEN, d)).filter((f) => f.startsWith('host-list-volumes') && f.endsWith('.json')).map((f) => join(d, f)));

t.test('the expected goldens exist', async (t) => {
  for (const f of [
    'lsblk-2.27.1/host-list-volumes-all-devices.json',
    'lsblk-2.31.1/host-list-volumes-all-devices.json',
    'lsblk-2.32.1/host-list-volumes-all-devices.json',
    'lsblk-2.38.1/host-list-volumes-loop-gpt.json',
    // Real output pasted in public issues, for the pairs series (no recordings that old).
    'lsblk-2.20.1/host-list-volumes-ubuntu-14.04.json',
    'lsblk-2.23.2/host-list-volumes-centos-7.json'
  ]) {
    t.ok(files.includes(f), f);
  }
});

for (const f of files) {
  t.test(f, async (t) => {
    const g = JSON.parse(readFileSync(join(GOLDEN, f), 'utf8')) as Golden;
    t.equal(f.split('/')[0], `lsblk-${g.version}`, 'folder is tool-version');
    t.equal(g.tool, 'lsblk');
    t.equal(f.split('/')[1], `host-list-volumes-${g.case}.json`, 'file is named after the case');
    const s = seriesById(g.scriptlet);
    t.ok(s, `scriptlet ${g.scriptlet} is one of the lsblk host.listVolumes series`);
    if (!s) return;
    t.ok(semver.satisfies(normalizeVersion(g.version) as string, s.range), `${g.version} is in ${s.range}`);
    t.same(g.input, {});
    t.equal(g.fsRoot, null);
    t.equal(g.dryRun, false);
    t.ok(g.source.length > 20, 'source says where the output came from');
    t.equal(g.calls.length, 1, 'one command');
    const call = g.calls[0] as ExecCall;
    t.equal(call.kind, 'exec');
    t.same(call.argv, s.argv(), 'calls[0].argv is what the scriptlet builds');
    t.equal(call.stdin, null);
    if (!call.from && !/^recorded from the real tool/.test(g.source)) {
      // Output taken from a public paste: the source names where, the note what was assumed.
      t.match(g.source, /https:\/\/github\.com\/[^ ]+\/(issues|pull)\/\d+/, 'source gives the URL of the paste');
      t.match(g.source, /Taken: /, 'source says what was taken');
      t.match(g.note ?? '', /assumed/, 'note says what was assumed');
      t.equal(call.stderr, '', 'a pasted successful run: empty stderr');
      t.equal(call.exitCode, 0, 'a pasted successful run: exit 0');
    }
    if (call.from) {
      const rec = join(RECORDINGS, call.from.replace(/^shared\/recordings\//, ''));
      if (existsSync(rec)) {
        const r = JSON.parse(readFileSync(rec, 'utf8')) as { argv: string[]; exitCode: number; stdout: string; stderr: string; version: string };
        t.same(r.argv, call.argv, 'recorded argv');
        t.equal(r.version, g.version, 'recorded version');
        t.equal(call.stdout, r.stdout, 'stdout verbatim');
        t.equal(call.stderr, r.stderr, 'stderr verbatim');
        t.equal(call.exitCode, r.exitCode, 'exit code verbatim');
        t.match(g.source, call.from, 'source names the recording');
      } else {
        t.comment(`recording ${rec} not found; verbatim check skipped`);
      }
    }
    const { ctx, used } = replayContext(g.calls, g.version);
    const got = await s.def.run(ctx, g.input as Record<string, never>);
    t.equal(used(), g.calls.length, 'every call used');
    if (g.result.ok) t.same(got, g.result, 'replay gives the stored result');
    else t.same(!got.ok && got.error.code, g.result.error.code, 'replay fails with the stored code');
  });
}
