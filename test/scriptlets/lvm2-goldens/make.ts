// Builds golden/lvm2-<version>/*.json from the real transcripts in shared/recordings/lvm2-*.
// Not a test: run by hand after a build, `node dist/test/scriptlets/lvm2-goldens/make.js
// [RECORDINGS_DIR]`. Each golden is one scriptlet run answered by recorded commands, in the
// order the scriptlet runs them; stdout, stderr and the exit code are copied verbatim and `from`
// names the recording file. The run is replayed here first: a golden is written only when the
// scriptlet asks for exactly these commands, and its result is checked against what the case
// expects (so a wrong parser cannot write its own wrong answer into a golden).
//
// About argv: the recordings ran with activation turned off in a private lvm.conf
// (global/activation = 0; every recording's stderr says "Activation disabled"). On such a host
// (no device-mapper) the scriptlets say the same thing on the command line, as the pair
// `--config global{activation=0}` right after the command name. lvm2 merges --config over
// lvm.conf, and the value is the one lvm.conf already had, so the effective configuration, and
// with it the output, is the one recorded. The goldens therefore carry the scriptlet's argv:
// the recorded argv with that pair inserted, nothing else changed (`note` says so in each file).
// A golden with host.deviceMapper true and the bare recorded argv would claim activation was
// possible, which it was not.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { CommandOptions, CommandResult, HostFacts, ScriptletContext, ScriptletDef, Shell } from '../../../runner/scriptlet/api.js';
import { templateToArgv } from '../../../runner/scriptlet/api.js';
import { REPO, SHARED } from '../../helpers/paths.js';
import { servingScriptlet } from '../../golden/serving.js';

const RECORDINGS = resolve(process.argv[2] ?? join(SHARED, 'recordings'));
const HOST: HostFacts = { deviceMapper: false, root: true };
const CONFIG = ['--config', 'global{activation=0}'];

interface Recording {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  source: string;
  note?: string;
}

interface Call {
  kind: 'exec';
  argv: string[];
  stdin: null;
  exitCode: number;
  signal: null;
  timedOut: false;
  stdout: string;
  stderr: string;
  from: string;
}

/**
 * A call from a golden recorded on this host (`golden:<dir>/<file>.json#<index>`): for the few
 * commands that are not lvm2's and were not part of the recordings (blkid before a build).
 */
function loadGoldenCall(spec: string): { rec: Recording; call: Call } {
  const m = /^golden:(.+)#(\d+)$/.exec(spec);
  if (!m) throw new Error(`bad golden call spec ${spec}`);
  const g = JSON.parse(readFileSync(join(REPO, 'golden', m[1] as string), 'utf8')) as { source: string; calls: Call[] };
  const c = g.calls[Number(m[2])];
  if (!c) throw new Error(`no call ${m[2]} in ${m[1]}`);
  return {
    rec: { argv: c.argv, exitCode: c.exitCode, stdout: c.stdout, stderr: c.stderr, source: g.source },
    call: { kind: 'exec', argv: c.argv, stdin: null, exitCode: c.exitCode, signal: null, timedOut: false, stdout: c.stdout, stderr: c.stderr, from: `golden/${m[1]} (call ${Number(m[2]) + 1})` }
  };
}

function load(version: string, file: string): { rec: Recording; call: Call } {
  if (file.startsWith('golden:')) return loadGoldenCall(file);
  const rec = JSON.parse(readFileSync(join(RECORDINGS, `lvm2-${version}`, `${file}.json`), 'utf8')) as Recording;
  const argv = [rec.argv[0] as string, ...CONFIG, ...rec.argv.slice(1)];
  return {
    rec,
    call: { kind: 'exec', argv, stdin: null, exitCode: rec.exitCode, signal: null, timedOut: false, stdout: rec.stdout, stderr: rec.stderr, from: `shared/recordings/lvm2-${version}/${file}.json` }
  };
}

/** Runs a scriptlet against calls, in order; returns its result and any mismatch. */
async function replay(def: ScriptletDef, input: unknown, calls: Call[], toolVersion: string): Promise<{ result: unknown; problems: string[] }> {
  let next = 0;
  const problems: string[] = [];
  const exec = async (argv: string[], opts: CommandOptions): Promise<CommandResult> => {
    const c = calls[next];
    if (!c || !isDeepStrictEqual(c.argv, argv) || opts.stdin !== undefined) {
      problems.push(`call #${next + 1}: scriptlet ran ${JSON.stringify(argv)}, transcript has ${c ? JSON.stringify(c.argv) : 'nothing'}`);
      return { argv, exitCode: 125, signal: null, stdout: '', stderr: 'not in transcript', failed: true, timedOut: false, truncated: false };
    }
    next++;
    return { argv, exitCode: c.exitCode, signal: null, stdout: c.stdout, stderr: c.stderr, failed: c.exitCode !== 0, timedOut: false, truncated: false };
  };
  const shell = (opts: CommandOptions): Shell => {
    const s = ((strings: TemplateStringsArray, ...values: never[]) => exec(templateToArgv(strings, values), opts)) as Shell;
    s.with = (o: CommandOptions) => shell({ ...opts, ...o });
    return s;
  };
  const ctx: ScriptletContext = { $: shell({}), query: shell({}), fs: null, host: HOST, dryRun: false, toolVersion, progress: () => {} };
  const r = await def.run(ctx, input as never);
  if (next !== calls.length) problems.push(`${calls.length - next} transcript call(s) left unused`);
  const result = r.ok ? { ok: true, value: r.value } : { ok: false, error: { code: r.error.code } };
  return { result, problems };
}

// -------------------------------------------------------------------------------------------

const VG = 'vgrec';
const POOL = {
  name: 'recpool',
  uuid: '6f1c2a34-5b6d-4e7f-8091-a2b3c4d5e6f7',
  type: 'logical',
  source: { name: VG, format: 'lvm2', devices: [{ path: '/dev/loop0' }, { path: '/dev/loop1' }] }
};

type Expect = { ok: true; check: (value: any) => string | null } | { ok: false; code: string };

interface Case {
  scriptlet: string; // file name in the series dir
  case: string;
  files: string[];
  input: (rec: (file: string) => Recording) => unknown;
  expect: Expect;
  note?: string;
}

const lvRow = (rec: Recording, name: string): string[] => {
  // Only to give the input volume the key the recording's own report shows.
  for (const line of rec.stdout.split('\n')) {
    const t = line.trim();
    if (t.startsWith('{"lv_name"')) {
      const o = JSON.parse(t.replace(/,$/, '')) as Record<string, string>;
      if (o['lv_name'] === name) return [o['lv_uuid'] ?? '', o['lv_attr'] ?? ''];
    } else if (t.startsWith(`${name}#`)) {
      const p = t.split('#');
      return [p[2] ?? '', p[4] ?? ''];
    }
  }
  throw new Error(`no ${name} in ${rec.argv.join(' ')}`);
};

const volumeInput = (uuidAttr: string[], name: string, capacity: number) => ({
  pool: 'recpool',
  name,
  key: uuidAttr[0],
  path: `/dev/${VG}/${name}`,
  type: 'block',
  capacity,
  allocation: capacity,
  format: 'lvm2',
  extra: { lvAttr: uuidAttr[1], lvType: 'linear' }
});

const MiB = 1024 * 1024;

function checkVolumes(expect: { name: string; capacity: number; segments: number }[]) {
  return (value: { volumes: { name: string; capacity: number; allocation: number; path: string; key: string; type: string; extra: Record<string, unknown> }[] }) => {
    const got = value.volumes.map((v) => ({ name: v.name, capacity: v.capacity, segments: v.extra['segments'] }));
    if (!isDeepStrictEqual(got, expect)) return `volumes ${JSON.stringify(got)} != ${JSON.stringify(expect)}`;
    for (const v of value.volumes) {
      if (v.path !== `/dev/${VG}/${v.name}` || v.type !== 'block' || !/^[A-Za-z0-9]{6}(-[A-Za-z0-9]{4}){5}-[A-Za-z0-9]{6}$/.test(v.key) || v.allocation !== v.capacity) {
        return `bad volume ${JSON.stringify(v)}`;
      }
    }
    return null;
  };
}

function checkVolume(name: string, capacity: number) {
  return (value: { volume: { name: string; capacity: number; key: string; path: string } }) =>
    value.volume.name === name && value.volume.capacity === capacity && value.volume.path === `/dev/${VG}/${name}` && value.volume.key.length === 38
      ? null
      : `volume ${JSON.stringify(value.volume)}`;
}

const empty = (value: unknown) => (isDeepStrictEqual(value, {}) ? null : `expected {}, got ${JSON.stringify(value)}`);

function textCases(n: { lvsAfterCreate: string; pvsAfterCreate: string; pvsOrphans: string; vgsAfterCreate: string; vgs: string; lvsAfterResize: string; reduce: string; resizeNoSpace: string; lvremoveSpan: string; lvremoveMissing: string; lvsEmpty: string; vgremove: string; pvremove: string }): Case[] {
  return [
    {
      scriptlet: 'pool-find-sources', case: 'vg-with-two-pvs', files: [n.pvsAfterCreate],
      input: () => ({ type: 'logical' }),
      expect: { ok: true, check: (v) => (isDeepStrictEqual(v, { sources: [{ name: VG, format: 'lvm2', devices: [{ path: '/dev/loop0' }, { path: '/dev/loop1' }] }] }) ? null : JSON.stringify(v)) }
    },
    {
      scriptlet: 'pool-find-sources', case: 'orphan-pvs-only', files: [n.pvsOrphans],
      input: () => ({ type: 'logical' }),
      expect: { ok: true, check: (v) => (isDeepStrictEqual(v, { sources: [] }) ? null : JSON.stringify(v)) }
    },
    {
      scriptlet: 'pool-refresh', case: 'sizes', files: [n.vgsAfterCreate],
      input: () => ({ pool: POOL }),
      // 38 extents of 4 MiB, 3 free (recordings README: vgrec, 4 MiB extents, 38 in all).
      expect: { ok: true, check: (v) => (isDeepStrictEqual(v, { sizes: { capacity: 38 * 4 * MiB, allocation: 35 * 4 * MiB, available: 3 * 4 * MiB } }) ? null : JSON.stringify(v)) }
    },
    {
      scriptlet: 'pool-start', case: 'no-device-mapper', files: [n.vgs],
      input: () => ({ pool: POOL }), expect: { ok: true, check: empty },
      note: 'Without device-mapper nothing can be activated: start checks that the VG is in the vgs report.'
    },
    {
      scriptlet: 'pool-start', case: 'vg-missing', files: [n.vgs],
      input: () => ({ pool: { ...POOL, source: { ...POOL.source, name: 'vgmissing' } } }), expect: { ok: false, code: 'NO_POOL' }
    },
    {
      scriptlet: 'vol-list', case: 'two-lvs', files: [n.lvsAfterCreate],
      input: () => ({ pool: POOL }),
      expect: { ok: true, check: checkVolumes([{ name: 'lvdata', capacity: 40 * MiB, segments: 1 }, { name: 'lvspan', capacity: 100 * MiB, segments: 2 }]) }
    },
    {
      scriptlet: 'vol-list', case: 'empty-vg', files: [n.lvsEmpty],
      input: () => ({ pool: POOL }), expect: { ok: true, check: checkVolumes([]) }
    },
    {
      scriptlet: 'vol-create', case: 'linear-spanning-two-pvs', files: ['10-lvcreate-span', n.lvsAfterCreate],
      input: () => ({ pool: POOL, name: 'lvspan', capacity: 100 * MiB }),
      expect: { ok: true, check: checkVolume('lvspan', 100 * MiB) },
      note: 'Between the lvcreate and this lvs the recording ran a failed lvcreate (no space), a failed lvcreate (duplicate name) and read-only reports: the VG is as the lvcreate left it.'
    },
    {
      scriptlet: 'vol-create', case: 'no-space', files: ['11-lvcreate-no-space'],
      input: () => ({ pool: POOL, name: 'lvbig', capacity: 1024 * MiB }), expect: { ok: false, code: 'NO_SPACE' }
    },
    {
      scriptlet: 'vol-create', case: 'name-taken', files: ['12-lvcreate-dup-name'],
      input: () => ({ pool: POOL, name: 'lvdata', capacity: 4 * MiB }), expect: { ok: false, code: 'VOLUME_EXISTS' }
    },
    {
      scriptlet: 'vol-get', case: 'by-name', files: [n.lvsAfterCreate],
      input: () => ({ pool: POOL, name: 'lvspan' }), expect: { ok: true, check: checkVolume('lvspan', 100 * MiB) }
    },
    {
      scriptlet: 'vol-get', case: 'missing', files: [n.lvsAfterCreate],
      input: () => ({ pool: POOL, name: 'lvnope' }), expect: { ok: false, code: 'NO_VOLUME' }
    },
    {
      scriptlet: 'pool-delete', case: 'vg-has-volumes', files: [n.lvsAfterCreate],
      input: () => ({ pool: POOL }), expect: { ok: false, code: 'POOL_BUSY' }
    },
    {
      scriptlet: 'pool-build', case: 'blank-devices',
      files: ['golden:lvm2-2.03.16/blank-pool-build.json#0', 'golden:lvm2-2.03.16/blank-pool-build.json#1', '03-pvcreate', '05-vgcreate'],
      input: () => ({ pool: POOL, overwrite: false }), expect: { ok: true, check: empty },
      note: 'The two blkid calls (util-linux, not lvm2) are not in shared/recordings: they come from the 2.03.16 golden recorded on this host, where blkid -p probed the same blank sparse devices (/dev/loop0 of 100 MiB, /dev/loop1 of 60 MiB) before pvcreate, as the recording sequence had them before its pvcreate. Between pvcreate and vgcreate the recording ran a pvs report only.'
    },
    // Without device-mapper (the recordings' host) these answer before any command runs.
    {
      scriptlet: 'pool-stop', case: 'no-device-mapper', files: [],
      input: () => ({ pool: POOL }), expect: { ok: true, check: empty },
      note: 'No command runs: without device-mapper nothing was activated.'
    },
    {
      scriptlet: 'vol-snapshot', case: 'no-device-mapper', files: [],
      input: (rec) => ({ pool: POOL, name: 'snap', from: volumeInput(lvRow(rec(n.lvsAfterCreate), 'lvdata'), 'lvdata', 40 * MiB) }),
      expect: { ok: false, code: 'UNSUPPORTED' },
      note: 'No command runs: an LVM snapshot needs activation, which this host (no device-mapper) cannot do.'
    },
    {
      scriptlet: 'vol-copy', case: 'no-device-mapper', files: [],
      input: (rec) => ({ pool: POOL, name: 'copy', from: volumeInput(lvRow(rec(n.lvsAfterCreate), 'lvdata'), 'lvdata', 40 * MiB) }),
      expect: { ok: false, code: 'UNSUPPORTED' },
      note: 'No command runs: copying data into an LV needs it activated, which this host (no device-mapper) cannot do.'
    },
    {
      scriptlet: 'vol-wipe', case: 'no-device-mapper', files: [],
      input: (rec) => ({ pool: POOL, volume: volumeInput(lvRow(rec(n.lvsAfterCreate), 'lvdata'), 'lvdata', 40 * MiB), algorithm: 'zero' }),
      expect: { ok: false, code: 'UNSUPPORTED' },
      note: 'No command runs: wiping an LV needs it activated, which this host (no device-mapper) cannot do.'
    },
    {
      scriptlet: 'vol-resize', case: 'shrink', files: [n.reduce, n.lvsAfterResize],
      input: (rec) => ({ pool: POOL, volume: volumeInput(lvRow(rec(n.lvsAfterCreate), 'lvdata'), 'lvdata', 48 * MiB), capacity: 20 * MiB, shrink: true }),
      expect: { ok: true, check: checkVolume('lvdata', 20 * MiB) },
      note: 'lvdata was 48 MiB (grown by 8 MiB before). Between the lvresize and this lvs the recording ran only a failed lvresize (no space).'
    },
    {
      scriptlet: 'vol-resize', case: 'grow-no-space', files: [n.resizeNoSpace],
      input: (rec) => ({ pool: POOL, volume: volumeInput(lvRow(rec(n.lvsAfterCreate), 'lvdata'), 'lvdata', 20 * MiB), capacity: 20 * MiB + 1024 * MiB, shrink: false }),
      expect: { ok: false, code: 'NO_SPACE' }
    },
    {
      scriptlet: 'vol-delete', case: 'linear', files: [n.lvremoveSpan],
      input: (rec) => ({ pool: POOL, volume: volumeInput(lvRow(rec(n.lvsAfterCreate), 'lvspan'), 'lvspan', 100 * MiB) }),
      expect: { ok: true, check: empty }
    },
    {
      scriptlet: 'vol-delete', case: 'missing', files: [n.lvremoveMissing],
      input: (rec) => ({ pool: POOL, volume: volumeInput(lvRow(rec(n.lvsAfterCreate), 'lvdata'), 'lvdata', 20 * MiB) }),
      expect: { ok: false, code: 'NO_VOLUME' }
    },
    ...(n.lvsEmpty.includes('sep')
      ? [
          {
            scriptlet: 'pool-delete', case: 'empty-vg', files: [n.lvsEmpty, n.vgremove, n.pvremove],
            input: () => ({ pool: POOL }), expect: { ok: true, check: empty } as Expect,
            note: 'Between vgremove and pvremove the recording ran a failed vgremove (VG gone) and a pvs report: nothing changed.'
          }
        ]
      : [])
  ];
}

const TEXT_NAMES = {
  pvsOrphans: '04-pvs-sep', vgs: '06-vgs-sep', lvsAfterCreate: '13-lvs-sep', vgsAfterCreate: '15-vgs-sep-after-lvcreate', pvsAfterCreate: '16-pvs-sep-after-lvcreate',
reduce: '22-lvresize-reduce', resizeNoSpace: '23-lvresize-no-space', lvsAfterResize: '24-lvs-sep-after-resize',
  lvremoveSpan: '25-lvremove-span', lvremoveMissing: '27-lvremove-missing', lvsEmpty: '28-lvs-sep-empty-vg', vgremove: '29-vgremove', pvremove: '32-pvremove'
};
const JSON_NAMES = {
  pvsOrphans: '04-pvs-sep', vgs: '22-vgs-json', lvsAfterCreate: '23-lvs-json', vgsAfterCreate: '22-vgs-json', pvsAfterCreate: '21-pvs-json',
reduce: '28-lvresize-reduce', resizeNoSpace: '29-lvresize-no-space', lvsAfterResize: '31-lvs-json-after-resize',
  lvremoveSpan: '32-lvremove-span', lvremoveMissing: '34-lvremove-missing', lvsEmpty: '', vgremove: '36-vgremove', pvremove: '39-pvremove'
};

function jsonCases(): Case[] {
  // The JSON series read JSON reports: only recorded JSON reports can answer them. Cases whose
  // report was recorded in text form only (pvs of orphan PVs, lvs of an empty VG) are not
  // built for these versions.
  return textCases(JSON_NAMES).filter((c) => !c.files.some((f) => f === '' || f.includes('-sep')));
}

// Which series serves each case is the registry's choice (test/golden/serving.ts), as in the agent.
const VERSIONS: { version: string; cases: Case[] }[] = [
  { version: '2.02.98', cases: textCases(TEXT_NAMES) },
  { version: '2.02.133', cases: textCases(TEXT_NAMES) },
  { version: '2.02.168', cases: jsonCases() },
  { version: '2.02.187', cases: jsonCases() },
  { version: '2.03.11', cases: jsonCases() }
];

const NOTE =
  'Recorded with activation off in the recording\'s lvm.conf (global/activation=0, see "Activation disabled" on stderr); on such a host (no device-mapper) the scriptlet passes the same setting as `--config global{activation=0}` after the command name. That pair is the only difference between each call\'s argv and the recorded argv (`from`); stdout, stderr and exit code are verbatim.';

let failures = 0;
for (const v of VERSIONS) {
  const outDir = join(REPO, 'golden', `lvm2-${v.version}`);
  mkdirSync(outDir, { recursive: true });
  for (const c of v.cases) {
    const loaded = c.files.map((f) => load(v.version, f));
    const rec = (file: string) => load(v.version, file).rec;
    const input = c.input(rec);
    const serving = await servingScriptlet('lvm2', 'logical', c.scriptlet, v.version);
    const { result, problems } = await replay(serving.def, input, loaded.map((l) => l.call), v.version);
    const r = result as { ok: boolean; value?: unknown; error?: { code: string } };
    let bad: string | null = null;
    if (problems.length) bad = problems.join('; ');
    else if (c.expect.ok !== r.ok) bad = `expected ${c.expect.ok ? 'success' : c.expect.ok === false ? (c.expect as { code: string }).code : ''}, got ${JSON.stringify(r)}`;
    else if (c.expect.ok) bad = c.expect.check(r.value);
    else if (r.error?.code !== c.expect.code) bad = `expected ${c.expect.code}, got ${r.error?.code}`;
    const id = serving.id;
    if (bad) {
      failures++;
      console.error(`FAIL lvm2-${v.version} ${id} ${c.case}: ${bad}`);
      continue;
    }
    const first = loaded[0]?.rec.source ?? (load(v.version, '01-version').rec.source);
    const golden = {
      scriptlet: id,
      tool: 'lvm2',
      version: v.version,
      case: `${c.scriptlet}-${c.case}`,
      source: c.files.length
        ? `shared/recordings/lvm2-${v.version} (${c.files.join(', ')}): ${first}`
        : `no command runs in this case; host as in shared/recordings/lvm2-${v.version}: ${first}`,
      host: HOST,
      fsRoot: null,
      dryRun: false,
      input,
      calls: loaded.map((l) => l.call),
      result,
      note: c.files.length ? (c.note ? `${c.note} ${NOTE}` : NOTE) : (c.note ?? '')
    };
    writeFileSync(join(outDir, `${c.scriptlet}-${c.case}.json`), `${JSON.stringify(golden, null, 2)}\n`);
    console.log(`ok   lvm2-${v.version} ${id} ${c.case}`);
  }
}
if (failures) {
  console.error(`${failures} golden(s) not written`);
  process.exitCode = 1;
}
