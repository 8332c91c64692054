// Workload (e): the logical backend's vol.list in serve mode against the bare lvs process it
// runs. Setup (untimed): two loop devices over sparse files, a logical pool defined, built and
// started through the agent, N linear LVs created through the agent. The lvs argv is not
// written here: it is read from a record-mode transcript of the agent's own vol.list on that
// pool, so the baseline runs exactly what the scriptlet runs, with the environment the runner
// gives tools (runner/exec/run-command.ts: LC_ALL=C, LANG=C, the fixed PATH, nothing else).
// Both sides read the host's /etc/lvm config and scan the same devices.

import { execa } from 'execa';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXED_PATH } from '../../../runner/exec/run-command.js';
import { resolveBinary } from '../../../runner/exec/resolve-binary.js';
import type { AgentSession } from './agent.js';
import { onCleanup } from './cleanup.js';
import { MiB } from './targets.js';

/** The environment the runner gives every tool (runner/exec/run-command.ts), and only that. */
export const TOOL_ENV: Readonly<Record<string, string>> = Object.freeze({ LC_ALL: 'C', LANG: 'C', PATH: FIXED_PATH });

/** Mirrors what the agent passes lvm2 on a host without device-mapper (scriptlets/lib/lvm.ts). */
const NO_ACTIVATION = ['--config', 'global{activation=0}'];

/** Extent size lvm2 uses by default: every LV is one extent. */
export const LV_SIZE = 4 * MiB;

export interface ExecCall {
  argv: string[];
  stdout: string;
}

/** The commands a golden transcript ran (runner/golden/types.ts), in order, with their stdout. */
export function execCallsOf(golden: unknown): ExecCall[] {
  const calls = (golden as { calls?: unknown } | null)?.calls;
  if (!Array.isArray(calls)) throw new Error('transcript without a calls array');
  const out: ExecCall[] = [];
  for (const c of calls) {
    if (!c || typeof c !== 'object' || (c as { kind?: unknown }).kind !== 'exec') continue;
    const { argv, stdout, exitCode } = c as { argv?: unknown; stdout?: unknown; exitCode?: unknown };
    if (!Array.isArray(argv) || argv.length === 0 || !argv.every((a) => typeof a === 'string')) throw new Error('transcript call with a malformed argv');
    if (exitCode !== 0) throw new Error(`transcript call ${argv.join(' ')} exited ${String(exitCode)}`);
    out.push({ argv: argv as string[], stdout: typeof stdout === 'string' ? stdout : '' });
  }
  return out;
}

/** Names of the LVs in an lvs JSON report (`--reportformat json`), any VG. */
export function lvNamesOfReport(stdout: string): string[] {
  // lvm2 may print warnings around the JSON document: take from the first { to the last }.
  const a = stdout.indexOf('{');
  const b = stdout.lastIndexOf('}');
  if (a < 0 || b < a) throw new Error(`no JSON report in lvs output: ${stdout.slice(0, 200)}`);
  const doc = JSON.parse(stdout.slice(a, b + 1)) as { report?: { lv?: { lv_name?: unknown }[] }[] };
  const names: string[] = [];
  for (const r of doc.report ?? []) for (const lv of r.lv ?? []) if (typeof lv.lv_name === 'string') names.push(lv.lv_name);
  return names;
}

/** PV image size for `volumes` LVs of LV_SIZE over two devices, with room for metadata. */
export function pvSizeMiB(volumes: number): number {
  return Math.max(32, Math.ceil((volumes * LV_SIZE) / MiB / 2) + 16);
}

export interface BareResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * One bare process: node's spawn, no shell, the runner's tool environment and spawn options
 * (stdin ignored, own process group), stdout and stderr collected until it exits.
 */
export function spawnBare(file: string, argv: readonly string[]): Promise<BareResult> {
  return new Promise((resolve, reject) => {
    // Like execa in the runner: the resolved path is the program and its argv[0].
    const child = spawn(file, argv.slice(1), { env: { ...TOOL_ENV }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ exitCode: code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });
}

export interface LvmWorld {
  pool: string;
  vg: string;
  devices: string[];
  lvNames: string[];
  /** What the agent's vol.list ran (normally one lvs), read from its record-mode transcript. */
  calls: ExecCall[];
  /** argv[0] of each call resolved on the runner's fixed PATH. */
  files: string[];
}

async function losetupDevicesOf(file: string): Promise<string[]> {
  const r = await execa('losetup', ['--list', '--noheadings', '--output', 'NAME', '--associated', file], { reject: false });
  if (r.exitCode !== 0) return [];
  return String(r.stdout).split('\n').map((l) => l.trim()).filter((l) => l.startsWith('/dev/'));
}

/**
 * Builds the world of workload (e), every step undone by the bench's cleanup (finally and
 * SIGINT/SIGTERM): loop devices found again by their backing file (so one attached just before a
 * signal is detached too), the VG removed by name, lvm2's backup/archive files of this VG removed
 * from /etc/lvm (the agent runs lvm2 with the host's config, which keeps them there).
 */
export async function makeLvmWorld(opts: { root: string; agent: AgentSession; agentBin: string; agentHome: string; pool: string; volumes: number; log: (m: string) => void }): Promise<LvmWorld> {
  const { root, agent, pool, volumes } = opts;
  const dir = join(root, 'lvm');
  mkdirSync(dir);
  const id = root.slice(-6).replace(/[^A-Za-z0-9]/g, 'x');
  const vg = `sabench_${id}`;
  const images = [join(dir, `${vg}-pv0.img`), join(dir, `${vg}-pv1.img`)];
  const etcDirs = ['/etc/lvm/backup', '/etc/lvm/archive'].filter((d) => !existsSync(d));

  onCleanup('detach the lvm workload loop devices', async () => {
    for (const img of images) for (const dev of await losetupDevicesOf(img)) await execa('losetup', ['--detach', dev], { reject: false });
  });
  onCleanup(`remove lvm2 backup/archive files of ${vg}`, () => {
    rmSync(join('/etc/lvm/backup', vg), { force: true });
    if (existsSync('/etc/lvm/archive')) {
      for (const f of readdirSync('/etc/lvm/archive')) if (f.startsWith(`${vg}_`) && f.endsWith('.vg')) rmSync(join('/etc/lvm/archive', f), { force: true });
    }
    // Directories lvm2 made during this run go again when nothing else was put in them.
    for (const d of etcDirs) {
      try {
        rmdirSync(d);
      } catch {
        /* not empty or gone: leave it */
      }
    }
  });

  const size = pvSizeMiB(volumes) * MiB;
  const devices: string[] = [];
  for (const img of images) {
    const fd = openSync(img, 'wx');
    ftruncateSync(fd, size);
    closeSync(fd);
    const r = await execa('losetup', ['--find', '--show', img]);
    devices.push(String(r.stdout).trim());
  }
  onCleanup(`remove volume group ${vg}`, async () => {
    const vgremove = resolveBinary('vgremove');
    if (vgremove) await execa(vgremove, ['-f', ...NO_ACTIVATION, vg], { env: { ...TOOL_ENV }, extendEnv: false, reject: false, stdin: 'ignore' });
  });
  opts.log(`  (e) loop devices ${devices.join(' ')} (${size / MiB} MiB sparse each), VG ${vg}`);

  await agent.call('pool.define', { name: pool, type: 'logical', source: { devices: devices.map((path) => ({ path })), name: vg } });
  await agent.call('pool.build', { pool });
  await agent.call('pool.start', { pool });
  const lvNames = Array.from({ length: volumes }, (_, i) => `lv${String(i).padStart(4, '0')}`);
  for (const name of lvNames) await agent.call('vol.create', { pool, name, capacity: LV_SIZE });
  opts.log(`  (e) ${volumes} LVs of ${LV_SIZE / MiB} MiB created through the agent`);

  // The argv the scriptlet runs: a one-shot vol-list on the same home in record mode.
  const rec = join(dir, 'record');
  const r = await execa(opts.agentBin, ['vol-list', pool], {
    env: { STORAGE_AGENT_HOME: opts.agentHome, STORAGE_AGENT_RECORD: rec, STORAGE_AGENT_RECORD_OPS: 'vol.list', STORAGE_AGENT_RECORD_CASE: 'bench', LC_ALL: 'C' },
    reject: false,
  });
  if (r.exitCode !== 0) throw new Error(`storage-agent vol-list ${pool} (record mode) exited ${r.exitCode}: ${String(r.stderr).trim()}`);
  const goldens = existsSync(rec)
    ? (readdirSync(rec, { recursive: true }) as string[]).filter((f) => f.endsWith('.json')).map((f) => join(rec, f))
    : [];
  if (goldens.length !== 1) throw new Error(`record mode wrote ${goldens.length} transcripts for one vol-list, expected 1 (${rec})`);
  const golden = JSON.parse(readFileSync(goldens[0]!, 'utf8')) as { scriptlet?: string; input?: { pool?: { source?: { name?: string } } } };
  if (golden.input?.pool?.source?.name !== vg) throw new Error(`the recorded vol.list was not about VG ${vg}`);
  const calls = execCallsOf(golden);
  if (calls.length === 0) throw new Error(`the recorded vol.list (${golden.scriptlet}) ran no command`);
  const files = calls.map((c) => {
    const f = resolveBinary(c.argv[0]!);
    if (!f) throw new Error(`${c.argv[0]} not found on ${FIXED_PATH}`);
    return f;
  });
  const listed = lvNamesOfReport(calls[0]!.stdout);
  if (listed.length !== volumes) throw new Error(`recorded ${calls[0]!.argv.join(' ')} listed ${listed.length} LVs, expected ${volumes}`);
  opts.log(`  (e) ${golden.scriptlet} runs: ${calls.map((c) => c.argv.join(' ')).join(' ; ')}`);
  return { pool, vg, devices, lvNames, calls, files };
}

/** The bare side: every command the agent's vol.list ran, in order; throws on any difference in exit code or stdout. */
export async function runBare(w: LvmWorld): Promise<BareResult[]> {
  const out: BareResult[] = [];
  for (const [i, c] of w.calls.entries()) out.push(await spawnBare(w.files[i]!, c.argv));
  return out;
}

export function checkBare(w: LvmWorld, results: BareResult[]): void {
  for (const [i, c] of w.calls.entries()) {
    const r = results[i]!;
    if (r.exitCode !== 0) throw new Error(`${c.argv.join(' ')} exited ${r.exitCode ?? r.signal}: ${r.stderr.trim()}`);
    if (r.stdout !== c.stdout) throw new Error(`${c.argv[0]} printed something else than in the agent's recorded run (the VG changed?)`);
  }
}

/** The agent side's answer: exactly the LVs created, by name. */
export function checkAgentList(w: LvmWorld, answer: unknown): void {
  const vols = (answer as { volumes?: { name?: unknown }[] } | null)?.volumes;
  if (!Array.isArray(vols)) throw new Error(`vol.list answered without a volumes array: ${JSON.stringify(answer).slice(0, 200)}`);
  const got = vols.map((v) => String(v.name)).sort();
  if (got.length !== w.lvNames.length || got.some((n, i) => n !== w.lvNames[i])) {
    throw new Error(`vol.list on ${w.pool} listed ${got.length} volumes (${got.slice(0, 3).join(', ')}...), expected ${w.lvNames.length}`);
  }
}
