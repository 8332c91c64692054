// `npm run bench`: the same storage work through storage-agent (serve mode) and through
// libvirt's storage driver (a private libvirtd driven by one virsh session), in one run;
// medians over rounds and the ratio agent/libvirt per workload. Exit code: non-zero only when
// something failed, never because of a ratio.
//
// Environment: BENCH_ROUNDS (default 5), BENCH_QUICK=1 (small counts, 3 rounds),
// BENCH_SIDES=both|agent|libvirt, BENCH_PIPELINED=0 (skip the pipelined/batch rows),
// BENCH_CREATE_DELETE, BENCH_LIST_VOLUMES, BENCH_QCOW2, BENCH_COLD_RUNS, BENCH_LVM_VOLUMES,
// BENCH_LVM_REPS (counts), BENCH_ONLY=a,b,c,d,lvm (which workloads; default all).

import { execa } from 'execa';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveBinary } from '../../runner/exec/resolve-binary.js';
import { AGENT_BIN, AgentSession } from './lib/agent.js';
import { cleanupAll, installSignalHandlers, interrupted, onCleanup } from './lib/cleanup.js';
import { startLibvirtd, type Libvirtd } from './lib/libvirtd.js';
import { checkAgentList, checkBare, makeLvmWorld, runBare, type LvmWorld } from './lib/lvm.js';
import { benchConfig, needsDirPools, needsLibvirt, summarize, summaryTable, type BenchConfig, type Row, type RowSummary } from './lib/stats.js';
import { AgentTarget, LibvirtTarget, MiB, type Target } from './lib/targets.js';
import { VirshSession } from './lib/virsh.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const POOL = 'bench';
const LIST_POOL = 'benchlist';
const LVM_POOL = 'benchlvm';

const log = (msg: string): void => void process.stderr.write(msg + '\n');

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function filesIn(dir: string): string[] {
  return readdirSync(dir).sort();
}

function expectEmpty(dir: string, what: string): void {
  const left = filesIn(dir);
  if (left.length) throw new Error(`${what}: ${left.length} file(s) left in ${dir} (e.g. ${left.slice(0, 3).join(', ')})`);
}

function isQcow2(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(4);
    readSync(fd, b, 0, 4, 0);
    return b.equals(Buffer.from([0x51, 0x46, 0x49, 0xfb])); // "QFI\xfb"
  } finally {
    closeSync(fd);
  }
}

interface Side {
  target: Target;
  poolDir: string;
  listDir: string;
}

/** Checks outside any timing that each side really does what the workloads ask. */
async function preflight(s: Side, notes: string[]): Promise<void> {
  const t = s.target;
  await t.createRaw(POOL, 'preflight-raw');
  const raw = join(s.poolDir, 'preflight-raw');
  if (!existsSync(raw)) throw new Error(`${t.side}: created raw volume but ${raw} does not exist`);
  const st = statSync(raw);
  if (st.size !== MiB) throw new Error(`${t.side}: raw volume is ${st.size} bytes, expected ${MiB}`);
  const allocated = st.blocks * 512;
  notes.push(`${t.side}: raw 1 MiB volume with allocation 1 MiB -> ${allocated} bytes allocated on disk`);
  if (allocated < MiB) log(`WARNING: ${t.side} did not allocate the raw volume (${allocated} bytes): workloads are not equal`);
  await t.deleteVol(POOL, 'preflight-raw');
  if (existsSync(raw)) throw new Error(`${t.side}: deleted volume but ${raw} still exists`);
  await t.createQcow2(POOL, 'preflight-qcow2');
  const q = join(s.poolDir, 'preflight-qcow2');
  if (!existsSync(q) || !isQcow2(q)) throw new Error(`${t.side}: ${q} is missing or not a qcow2 image`);
  await t.deleteVol(POOL, 'preflight-qcow2');
  // A failing operation must be seen as failing (else the timings below could hide errors).
  let failed = false;
  try {
    await t.deleteVol(POOL, 'preflight-does-not-exist');
  } catch {
    failed = true;
  }
  if (!failed) throw new Error(`${t.side}: deleting a missing volume did not report an error`);
  expectEmpty(s.poolDir, `${t.side} preflight`);
}

/** Runs `fn` once per round for each side, alternating which side goes first. */
async function rounds(
  cfg: BenchConfig,
  sides: { agent?: Side; libvirt?: Side },
  title: string,
  fn: (s: Side, round: number) => Promise<number>,
): Promise<{ agent: number[]; libvirt: number[] }> {
  const out = { agent: [] as number[], libvirt: [] as number[] };
  for (let r = 0; r < cfg.rounds; r++) {
    const order = (r % 2 === 0 ? ['libvirt', 'agent'] : ['agent', 'libvirt']) as ('agent' | 'libvirt')[];
    for (const k of order) {
      const s = sides[k];
      if (!s) continue;
      const ms = await fn(s, r);
      out[k].push(ms);
      log(`  ${title} round ${r + 1}/${cfg.rounds} ${k}: ${ms.toFixed(1)} ms`);
    }
  }
  return out;
}

function names(prefix: string, round: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-r${round}-${String(i).padStart(5, '0')}`);
}

async function coldRuns(cfg: BenchConfig, root: string, lv: Libvirtd | null, virshHome: string): Promise<Row[]> {
  const agentBin = join(REPO, AGENT_BIN);
  const coldHome = join(root, 'agent-cold-home');
  const agentArgs = ['pool-list', '--json'];
  const agentEnv = { STORAGE_AGENT_HOME: coldHome, LC_ALL: 'C' };
  const virshEnv = { HOME: virshHome, XDG_CACHE_HOME: join(virshHome, 'cache'), XDG_CONFIG_HOME: join(virshHome, 'config'), LC_ALL: 'C' };
  const runAgent = async () => {
    const r = await execa(agentBin, agentArgs, { env: agentEnv, reject: false });
    if (r.exitCode !== 0) throw new Error(`storage-agent pool-list --json exited ${r.exitCode}: ${String(r.stderr).trim()}`);
    JSON.parse(String(r.stdout));
  };
  const runNode = async () => {
    await execa(process.execPath, ['-e', '']);
  };
  const runVirsh = async () => {
    await execa('virsh', ['-q', '-c', lv!.uri, 'pool-list', '--all'], { env: virshEnv });
  };
  // Untimed first runs: the agent's home gets created, caches are warm for everyone.
  if (cfg.sides.agent) await runAgent();
  await runNode();
  if (lv) await runVirsh();
  const agent: number[] = [];
  const node: number[] = [];
  const virsh: number[] = [];
  for (let i = 0; i < cfg.coldRuns; i++) {
    if (cfg.sides.agent) agent.push(await timed(runAgent));
    node.push(await timed(runNode));
    if (lv) virsh.push(await timed(runVirsh));
  }
  log(`  cold: agent ${agent.map((x) => x.toFixed(0)).join(' ')} | node ${node.map((x) => x.toFixed(0)).join(' ')} | virsh ${virsh.map((x) => x.toFixed(0)).join(' ')}`);
  const rows: Row[] = [
    { id: 'd-cold-cli-vs-node', workload: `(d) cold CLI: storage-agent pool-list --json (${cfg.coldRuns} runs)`, baseline: "node -e ''", agentSamples: agent, baselineSamples: node },
  ];
  if (lv) {
    rows.push({ id: 'd-cold-cli-vs-virsh', workload: `(d) cold CLI: storage-agent pool-list --json (${cfg.coldRuns} runs)`, baseline: 'virsh pool-list --all (one-shot)', agentSamples: agent, baselineSamples: virsh });
  }
  return rows;
}

/** Why workload (e) cannot run on this machine, or null when it can. */
function lvmUnavailable(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  for (const b of ['lvs', 'lvcreate', 'vgremove', 'losetup']) if (!resolveBinary(b)) return `${b} is not installed`;
  return null;
}

/** (e) logical vol.list in serve mode against the bare lvs process it runs, M calls per round. */
async function lvmWorkload(cfg: BenchConfig, w: LvmWorld, agent: AgentSession): Promise<Row> {
  const M = cfg.lvmReps;
  // Untimed: both sides once, so caches are warm and the answers are checked before timing.
  checkAgentList(w, await agent.call('vol.list', { pool: w.pool }));
  checkBare(w, await runBare(w));
  const agentSamples: number[] = [];
  const bareSamples: number[] = [];
  // The two sides take turns call by call (ABBA...), so a load change on the host during a
  // round weighs on both alike; each side's round figure is the sum of its M call times.
  for (let r = 0; r < cfg.rounds; r++) {
    let agentMs = 0;
    let bareMs = 0;
    for (let i = 0; i < M; i++) {
      const order = (r + i) % 2 === 0 ? (['lvs', 'agent'] as const) : (['agent', 'lvs'] as const);
      for (const k of order) {
        const t0 = process.hrtime.bigint();
        if (k === 'agent') {
          const answer = await agent.call('vol.list', { pool: w.pool });
          agentMs += Number(process.hrtime.bigint() - t0) / 1e6;
          checkAgentList(w, answer);
        } else {
          const res = await runBare(w);
          bareMs += Number(process.hrtime.bigint() - t0) / 1e6;
          checkBare(w, res);
        }
      }
    }
    agentSamples.push(agentMs);
    bareSamples.push(bareMs);
    log(`  (e) round ${r + 1}/${cfg.rounds}: agent ${agentMs.toFixed(1)} ms, lvs ${bareMs.toFixed(1)} ms for ${M} calls each (${(agentMs / M).toFixed(2)} / ${(bareMs / M).toFixed(2)} ms per call)`);
  }
  const what = w.calls.length === 1 ? 'lvs' : w.calls.map((c) => c.argv[0]).join(' + ');
  return {
    id: 'e-lvm-vol-list-vs-lvs',
    workload: `(e) logical vol.list, VG of ${w.lvNames.length} LVs, ${M} calls sequential`,
    baseline: `bare ${what} (same argv and env)`,
    agentSamples,
    baselineSamples: bareSamples,
  };
}

async function main(): Promise<number> {
  const cfg = benchConfig(process.env);
  // Other work on the host moves every figure (most of all the per-process wake-ups of (e)).
  const loadStart = loadavg()[0]!;
  installSignalHandlers();
  const root = mkdtempSync(join(tmpdir(), 'sa-bench-'));
  onCleanup('remove temp dir', () => rmSync(root, { recursive: true, force: true }));
  const realHome = '/var/lib/storage-agent';
  const realHomeExisted = existsSync(realHome);

  let lv: Libvirtd | null = null;
  let agentVersion: unknown = null;
  const sides: { agent?: Side; libvirt?: Side } = {};
  const notes: string[] = [];
  const virshHome = join(root, 'virsh-home');

  const lvmWhyNot = cfg.only.lvm ? (cfg.sides.agent ? lvmUnavailable() : 'BENCH_SIDES=libvirt (it measures the agent against lvs)') : null;
  if (lvmWhyNot && process.env.BENCH_ONLY) throw new Error(`BENCH_ONLY asks for the lvm workload, which cannot run: ${lvmWhyNot}`);
  if (lvmWhyNot) notes.push(`(e) lvm workload skipped: ${lvmWhyNot}`);
  const runLvm = cfg.only.lvm && lvmWhyNot === null;
  if (!needsDirPools(cfg) && !cfg.only.d && !runLvm) throw new Error('BENCH_ONLY and BENCH_SIDES leave nothing to run');

  let agentSession: AgentSession | null = null;
  const agentHome = join(root, 'agent-home');
  if (needsLibvirt(cfg)) {
    lv = await startLibvirtd(join(root, 'libvirt'));
    const daemon = lv;
    onCleanup('stop libvirtd', () => daemon.stop());
    log(`libvirtd ${lv.version} pid ${lv.pid}, ${lv.uri}`);
    const virsh = new VirshSession(lv.uri, virshHome);
    onCleanup('stop virsh', () => virsh.close());
    sides.libvirt = { target: new LibvirtTarget(virsh), poolDir: join(root, 'pools', 'libvirt'), listDir: join(root, 'pools', 'libvirt-list') };
  }
  if (cfg.sides.agent) {
    const agentBin = join(REPO, AGENT_BIN);
    // BENCH_AGENT_CPU_PROF=DIR: the serve process writes a V8 CPU profile there when it exits.
    const prof = process.env.BENCH_AGENT_CPU_PROF;
    const agent = new AgentSession(agentBin, agentHome, undefined, prof ? ['--cpu-prof', `--cpu-prof-dir=${resolve(prof)}`] : []);
    agentSession = agent;
    onCleanup('stop storage-agent serve', () => agent.close());
    agentVersion = await agent.call('agent.version');
    log(`storage-agent serve pid ${agent.pid}, home ${agentHome}, version ${JSON.stringify(agentVersion)}`);
    sides.agent = { target: new AgentTarget(agent), poolDir: join(root, 'pools', 'agent'), listDir: join(root, 'pools', 'agent-list') };
  }

  const active = [sides.libvirt, sides.agent].filter((s): s is Side => s !== undefined);
  if (needsDirPools(cfg)) {
    for (const s of active) {
      await s.target.setupPool(POOL, s.poolDir);
      await s.target.setupPool(LIST_POOL, s.listDir);
      if (!statSync(s.poolDir).isDirectory()) throw new Error(`${s.target.side}: pool dir ${s.poolDir} was not built`);
      await preflight(s, notes);
    }
    log('preflight passed: volumes really appear on disk, deletes remove them, errors are reported');
  }

  const rows: Row[] = [];
  const N = cfg.createDelete;

  // (a) create + delete of raw volumes, sequential.
  if (cfg.only.a) {
    log(`(a) ${N} x create+delete raw 1 MiB, sequential`);
    const r = await rounds(cfg, sides, '(a)', async (s, round) => {
      const vols = names('cd', round, N);
      const ms = await timed(async () => {
        for (const v of vols) {
          await s.target.createRaw(POOL, v);
          await s.target.deleteVol(POOL, v);
        }
      });
      expectEmpty(s.poolDir, `${s.target.side} (a)`);
      return ms;
    });
    rows.push({ id: 'a-create-delete-seq', workload: `(a) ${N} x create+delete raw 1 MiB, sequential`, baseline: 'libvirt (virsh, one command at a time)', agentSamples: r.agent, baselineSamples: r.libvirt });
  }
  if (cfg.only.a && cfg.pipelined) {
    log(`(a') ${N} creates then ${N} deletes, batch`);
    const r = await rounds(cfg, sides, "(a')", async (s, round) => {
      const vols = names('cdb', round, N);
      const ms = await timed(async () => {
        await s.target.createRawBatch(POOL, vols);
        await s.target.deleteBatch(POOL, vols);
      });
      expectEmpty(s.poolDir, `${s.target.side} (a')`);
      return ms;
    });
    rows.push({ id: 'a-create-delete-batch', workload: `(a') ${N} creates then ${N} deletes raw 1 MiB, agent pipelined`, baseline: 'libvirt (virsh, all commands at once)', agentSamples: r.agent, baselineSamples: r.libvirt });
  }

  // (c) qcow2 creates; deletes are untimed.
  const Q = cfg.qcow2;
  const qcow2Round = (batch: boolean) => async (s: Side, round: number) => {
    const vols = names(batch ? 'qb' : 'q', round, Q);
    const ms = await timed(async () => {
      if (batch) await s.target.createQcow2Batch(POOL, vols);
      else for (const v of vols) await s.target.createQcow2(POOL, v);
    });
    const files = filesIn(s.poolDir);
    if (files.length !== Q) throw new Error(`${s.target.side} (c): ${files.length} files after ${Q} qcow2 creates`);
    for (const f of files) if (!isQcow2(join(s.poolDir, f))) throw new Error(`${s.target.side} (c): ${f} is not qcow2`);
    await s.target.deleteBatch(POOL, vols);
    expectEmpty(s.poolDir, `${s.target.side} (c) cleanup`);
    return ms;
  };
  if (cfg.only.c) {
    log(`(c) ${Q} qcow2 creates, sequential`);
    const r = await rounds(cfg, sides, '(c)', qcow2Round(false));
    rows.push({ id: 'c-qcow2-seq', workload: `(c) ${Q} x create qcow2 1 GiB, sequential`, baseline: 'libvirt (virsh, one command at a time)', agentSamples: r.agent, baselineSamples: r.libvirt });
  }
  if (cfg.only.c && cfg.pipelined) {
    log(`(c') ${Q} qcow2 creates, batch`);
    const r = await rounds(cfg, sides, "(c')", qcow2Round(true));
    rows.push({ id: 'c-qcow2-batch', workload: `(c') ${Q} x create qcow2 1 GiB, agent pipelined`, baseline: 'libvirt (virsh, all commands at once)', agentSamples: r.agent, baselineSamples: r.libvirt });
  }

  // (b) vol.list over a pool of L volumes, made outside the timing by truncating files.
  if (cfg.only.b) {
    const L = cfg.listVolumes;
    log(`(b) vol.list over ${L} volumes (filling pools)`);
    for (const s of active) {
      for (let i = 0; i < L; i++) {
        const fd = openSync(join(s.listDir, `f${String(i).padStart(6, '0')}`), 'wx');
        ftruncateSync(fd, MiB);
        closeSync(fd);
      }
      await s.target.refreshPool(LIST_POOL);
      const n = s.target.countListed(await s.target.list(LIST_POOL, true), s.listDir);
      if (n !== L) throw new Error(`${s.target.side} (b): listed ${n} volumes after refresh, expected ${L}`);
    }
    const listRound = (details: boolean) => async (s: Side) => {
      let answer: unknown;
      const ms = await timed(async () => {
        answer = await s.target.list(LIST_POOL, details);
      });
      const n = s.target.countListed(answer, s.listDir);
      if (n !== L) throw new Error(`${s.target.side} (b): listed ${n} volumes, expected ${L}`);
      return ms;
    };
    {
      const r = await rounds(cfg, sides, '(b)', listRound(true));
      rows.push({ id: 'b-vol-list-details', workload: `(b) vol.list, pool of ${L} volumes`, baseline: 'virsh vol-list --details', agentSamples: r.agent, baselineSamples: r.libvirt });
      if (sides.libvirt) {
        const plain = await rounds(cfg, { libvirt: sides.libvirt }, '(b, no --details)', listRound(false));
        rows.push({ id: 'b-vol-list-plain', workload: `(b) vol.list, pool of ${L} volumes`, baseline: 'virsh vol-list (no --details)', agentSamples: r.agent, baselineSamples: plain.libvirt });
      }
    }
  }

  // (d) cold one-shot CLI.
  if (cfg.only.d) {
    log(`(d) cold CLI, ${cfg.coldRuns} runs`);
    rows.push(...(await coldRuns(cfg, root, lv, virshHome)));
  }

  // (e) logical vol.list against the bare lvs it runs, on a VG of loop devices.
  let lvmInfo: { vg: string; devices: number; argv: string[][] } | null = null;
  if (runLvm && agentSession) {
    log(`(e) logical vol.list over ${cfg.lvmVolumes} LVs against bare lvs, ${cfg.lvmReps} calls per round (setting up the VG)`);
    const w = await makeLvmWorld({ root, agent: agentSession, agentBin: join(REPO, AGENT_BIN), agentHome, pool: LVM_POOL, volumes: cfg.lvmVolumes, log });
    lvmInfo = { vg: w.vg, devices: w.devices.length, argv: w.calls.map((c) => c.argv) };
    rows.push(await lvmWorkload(cfg, w, agentSession));
    notes.push(`(e) VG ${w.vg} on ${w.devices.length} loop devices; both sides run ${w.calls.map((c) => c.argv.join(' ')).join(' ; ')} with LC_ALL=C LANG=C PATH=<runner's fixed PATH>, the host's /etc/lvm config, the same devices`);
  }

  if (!realHomeExisted && existsSync(realHome)) {
    throw new Error(`${realHome} appeared during the run: the agent did not keep to its temp home`);
  }

  const summaries: RowSummary[] = rows.map(summarize);
  const load = { start: Math.round(loadStart * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 };
  const out = process.stdout;
  out.write('\nstorage-agent benchmark: agent (storage-agent serve) vs libvirt storage driver\n');
  out.write(`host: ${cpus().length} cpu(s) ${cpus()[0]?.model ?? ''}, node ${process.version}, libvirt ${lv?.version ?? 'n/a'}, agent ${JSON.stringify(agentVersion)}\n`);
  out.write(`rounds: ${cfg.rounds}${cfg.quick ? ' (BENCH_QUICK)' : ''}; medians in ms; ratio = agent / baseline (>1: agent slower); host load average (1 min) ${load.start} at start, ${load.end} at end\n`);
  out.write('sequential: next request sent after the previous answer (agent: JSON-RPC over stdio; libvirt: one virsh session on stdin, a marker after each command)\n');
  out.write('pipelined: agent gets all requests at once; libvirt gets all commands at once on virsh stdin (virsh runs them one by one)\n');
  if (lvmInfo) out.write('(e): baseline is the bare tool process, not libvirt: agent JSON-RPC vol.list vs spawning the same lvs argv directly; goal ratio <= 1.05\n');
  for (const n of notes) out.write(`note: ${n}\n`);
  out.write('\n' + summaryTable(summaries) + '\n\n');
  out.write(
    JSON.stringify({
      bench: 'storage-agent',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadavg: load,
      libvirt: lv?.version ?? null,
      agent: agentVersion,
      config: cfg,
      lvm: lvmInfo,
      results: summaries,
    }) + '\n',
  );
  return 0;
}

let code = 1;
try {
  code = await main();
} catch (err) {
  if (!interrupted()) process.stderr.write(`bench: error: ${(err as Error).stack ?? String(err)}\n`);
  code = 1;
} finally {
  await cleanupAll();
}
process.exit(code);
