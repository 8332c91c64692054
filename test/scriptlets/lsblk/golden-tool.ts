// Writes the lsblk goldens (not a test; run by hand after `npm run build`):
//   node dist/test/scriptlets/lsblk/golden-tool.js from-recordings
//     golden/lsblk-<v>/host-list-volumes-all-devices.json for 2.27.1, 2.31.1, 2.32.1 from
//     shared/recordings/lsblk-<v>/12-json-all-devices.json (stdout/stderr/exit code copied as they
//     are); refuses if the recorded argv is not the scriptlet's argv.
//   node dist/test/scriptlets/lsblk/golden-tool.js record
//     golden/lsblk-<this lsblk>/host-list-volumes-loop-gpt.json: runs the scriptlet for this
//     machine's lsblk against the real tool while a GPT loop device with two partitions (one
//     mounted) and a read-only loop device are attached, then detaches them.
// The `result` is what the scriptlet returned for that transcript; the golden test replays it.
import { execa } from 'execa';
import { mkdirSync, openSync, closeSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lsblkProbe } from '../../../runner/probe/tools/lsblk.js';
import { FIXED_ENV, attachGptLoop, loadRecording, realContext, replayContext, type ExecCall } from './helpers.js';
import { seriesFor } from './series.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

function write(version: string, name: string, golden: unknown) {
  const dir = join(ROOT, 'golden', `lsblk-${version}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(golden, null, 2)}\n`);
  console.log(`wrote ${file}`);
}

async function fromRecordings() {
  for (const version of ['2.27.1', '2.31.1', '2.32.1']) {
    const file = '12-json-all-devices.json';
    const rec = loadRecording(version, file);
    const s = seriesFor(version);
    if (!s || s.id !== 'lsblk-2.27/host-list-volumes') throw new Error(`${version}: expected the lsblk-2.27 series`);
    if (JSON.stringify(rec.argv) !== JSON.stringify(s.argv())) throw new Error(`${version}: recorded argv ${JSON.stringify(rec.argv)} is not the scriptlet's`);
    const from = `shared/recordings/lsblk-${version}/${file}`;
    const calls: ExecCall[] = [
      { kind: 'exec', argv: rec.argv, stdin: null, exitCode: rec.exitCode, signal: null, timedOut: false, stdout: rec.stdout, stderr: rec.stderr, from }
    ];
    const { ctx, used } = replayContext(calls, version);
    const result = await s.def.run(ctx, {});
    if (used() !== calls.length) throw new Error(`${version}: scriptlet left calls unused`);
    write(version, 'host-list-volumes-all-devices', {
      scriptlet: s.id,
      tool: 'lsblk',
      version,
      case: 'all-devices',
      source: `${from} (${rec.source}); recorded with ${JSON.stringify(rec.env)}. ${rec.note}`,
      host: { deviceMapper: false, root: true },
      fsRoot: null,
      dryRun: false,
      input: {},
      calls,
      result: result.ok ? result : { ok: false, error: { code: result.error.code } }
    });
  }
}

function deviceMapperWorks(): boolean {
  try {
    closeSync(openSync('/dev/mapper/control', 'r'));
    return true;
  } catch {
    return false;
  }
}

async function record() {
  const v = await execa('lsblk', ['--version'], { env: FIXED_ENV, extendEnv: false });
  const version = lsblkProbe.parse(String(v.stdout), String(v.stderr));
  if (!version) throw new Error(`cannot read lsblk version from ${String(v.stdout)}`);
  const s = seriesFor(version);
  if (!s) throw new Error(`no series for lsblk ${version}`);
  const pkg = await execa('dpkg-query', ['-W', '-f', '${Package} ${Version}', 'util-linux'], { reject: false });
  const kernel = await execa('uname', ['-r']);
  const fx = await attachGptLoop({ mount: true, readOnly: true });
  let calls: ExecCall[];
  let result;
  try {
    const rc = realContext(version);
    result = await s.def.run(rc.ctx, {});
    calls = rc.calls;
  } finally {
    await fx.cleanup();
  }
  write(version, 'host-list-volumes-loop-gpt', {
    scriptlet: s.id,
    tool: 'lsblk',
    version,
    case: 'loop-gpt',
    source:
      `recorded from the real tool by test/scriptlets/lsblk/golden-tool.ts on Debian 12 (${String(pkg.stdout)}, kernel ${String(kernel.stdout)}), ` +
      `${new Date().toISOString().slice(0, 10)}, as root without udev. Attached for the run: ${fx.disk} (64 MiB sparse image, GPT made by sfdisk, ` +
      `p1 16 MiB ext4 mounted on ${fx.mountpoint}, p2 24 MiB; partitions added with partx -a) and ${fx.readOnly} (8 MiB, losetup -r). ` +
      'The listing is every block device of the machine at that moment, other users\' loop devices included.',
    host: { deviceMapper: deviceMapperWorks(), root: true },
    fsRoot: null,
    dryRun: false,
    input: {},
    calls,
    result: result.ok ? result : { ok: false, error: { code: result.error.code } }
  });
}

const cmd = process.argv[2];
if (cmd === 'from-recordings') await fromRecordings();
else if (cmd === 'record') await record();
else {
  console.error('usage: golden-tool.js from-recordings | record');
  process.exit(2);
}
