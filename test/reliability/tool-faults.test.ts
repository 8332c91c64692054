// Tool faults, injected by fake tools on STORAGE_AGENT_TOOL_PATH under a real `storage-agent
// serve`: a missing binary, a non-zero exit with text nobody maps, a hang (with a child), a child
// that keeps the output open, garbage and truncated output, warnings mixed into the output, huge
// output, death by signal, and a probe that reads no version. For each: the spec's code with the
// tool context, nothing half-done (no volume file left, no pool definition changed, no lock
// left, no fake process alive), and the next request works.
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess, type RpcReply } from '../helpers/rpc-client.js';
import { GOLDEN_DIR, tempDir } from '../helpers/paths.js';
import { FakeTools, alive, lockFilesLeft } from './fake-tools.js';
import { recordFigure, SOAK } from './figures.js';
import { partialName } from '../../runner/scriptlet/api.js';

const MiB = 1024 * 1024;
// Two agents on one home, so that no answer depends on how fast the machine is: the faults that
// only a time limit ends (hang, orphan, escape: the fakes sleep 1000 s) go to an agent with a
// short tool time limit, and every other fault (a 17 MB output to collect and cut, a real
// qemu-img create) to an agent with the default limit (120 s), which no loaded machine reaches.
const TOOL_TIMEOUT_MS = 8000;
const TIMED_FAULTS: ReadonlySet<Fault> = new Set(['hang', 'orphan', 'escape']);
/** Guards only (a test that waits this long has already failed): never what a passing case waits for. */
const ANSWER_GUARD_MS = 150_000;
const DEAD_GUARD_MS = 30_000;

type Fault = 'missing' | 'missing-secondary' | 'noversion' | 'fail' | 'hang' | 'orphan' | 'escape' | 'garbage' | 'truncated' | 'warnings' | 'huge' | 'huge-stderr' | 'signal';

interface Target {
  id: string;
  /** The fake that misbehaves. */
  tool: string;
  /** The binary the tool's probe runs (hidden for `missing`, answers no version for `noversion`). */
  probe: string;
  /** Debian package TOOL_MISSING must name for `missing` (and `missing-secondary`). */
  pkg: string;
  /** How the tool behaves when all is well. */
  okMode: string;
  faults: Partial<Record<Fault, string>>;
  /** The output the fake half-writes before failing (a volume in the making), if any. */
  touch?: string;
  /** The call, on the agent given. */
  call(a: AgentProcess): Promise<RpcReply>;
  /** Checks a successful answer; returns what is wrong, or null. */
  checkOk(r: RpcReply): string | null;
  /** Paths that must not exist after a failed call. */
  leftovers: string[];
  /** Undo a successful call (delete the volume it made). */
  undo?(): Promise<void>;
}

interface Golden {
  input: { pool?: { name: string; uuid: string; type: string; source?: object; target?: object } };
  calls: { stdout: string; stderr: string }[];
  result: { ok: boolean; value?: { volumes?: { name: string }[] } };
}

/** A recorded run: its first command's real output, the pool it ran on, the volumes it found. */
function golden(file: string): { stdout: string; stderr: string; pool: Golden['input']['pool']; names: string } {
  const g = JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as Golden;
  const c = g.calls[0];
  if (!c) throw new Error(`${file} has no call`);
  return { stdout: c.stdout, stderr: c.stderr, pool: g.input.pool, names: (g.result.value?.volumes ?? []).map((v) => v.name).join(',') };
}

function snapshotDefs(home: string): string {
  const d = join(home, 'pools');
  return readdirSync(d)
    .sort()
    .map((f) => `${f}\n${readFileSync(join(d, f), 'utf8')}`)
    .join('\n---\n');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allDead(pids: number[], withinMs: number): Promise<number[]> {
  const until = Date.now() + withinMs;
  for (;;) {
    const living = pids.filter(alive);
    if (living.length === 0 || Date.now() > until) return living;
    await sleep(50);
  }
}

async function bounded(p: Promise<RpcReply>, ms: number): Promise<RpcReply | 'no answer'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'no answer'>((r) => (timer = setTimeout(() => r('no answer'), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const codeOf = (r: RpcReply | 'no answer') => (r === 'no answer' ? r : r.error ? r.error.data.code : 'ok');

t.test('tool faults: right code, nothing half-done, next request works', async (t) => {
  const root = tempDir(t, 'sa-faults-');
  const fakes = new FakeTools(join(root, 'fakes'));
  const home = join(root, 'home');
  const agent = new AgentProcess(home, { STORAGE_AGENT_TOOL_PATH: fakes.bin });
  const timer = new AgentProcess(home, { STORAGE_AGENT_TOOL_PATH: fakes.bin, STORAGE_AGENT_TIMEOUT_MS: String(TOOL_TIMEOUT_MS) });
  t.teardown(() => {
    agent.child.kill('SIGKILL');
    timer.child.kill('SIGKILL');
    // An escaped fake (setsid) is out of the agent's reach by design: the test ends it.
    for (const pid of fakes.takePids()) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  // Normal behaviour: qemu-img is the real one behind the fake; list tools print real output
  // recorded in goldens on this host.
  fakes.mode('qemu-img', 'real');
  fakes.mode('fallocate', 'ok');
  const lsblkOut = golden('lsblk-2.38.1/host-list-volumes-loop-gpt.json');
  fakes.set('lsblk', 'stdout', lsblkOut.stdout);
  const partedOut = golden('parted-3.5/gpt-3-vol-list.json');
  fakes.set('parted', 'stdout', partedOut.stdout);
  const vgsOut = golden('lvm2-2.03.16/vg-pool-refresh.json');
  fakes.set('vgs', 'stdout', vgsOut.stdout);
  const lvsOut = golden('lvm2-2.03.16/two-lvs-vol-list.json');
  fakes.set('lvs', 'stdout', lvsOut.stdout);

  const pool = join(root, 'pool');
  await agent.ok('pool.define', { name: 'fdir', type: 'dir', target: { path: pool } });
  await agent.ok('pool.build', { pool: 'fdir' });
  await agent.ok('pool.start', { pool: 'fdir' });
  const src = await agent.ok<{ path: string }>('vol.create', { pool: 'fdir', name: 'src.raw', capacity: MiB });
  // Pools as recorded in the goldens the canned output comes from; no real device is touched
  // (the only tools on the path are the fakes).
  await agent.ok('pool.define', { ...partedOut.pool, name: 'fdisk' });
  await agent.ok('pool.start', { pool: 'fdisk' });
  await agent.ok('pool.define', { ...lvsOut.pool, name: 'flog' });
  await agent.ok('pool.start', { pool: 'flog' });

  // Warnings where the real tools print them.
  fakes.set('qemu-img', 'warn-stderr', 'qemu-img: warning: The synchronous I/O mode is slow on this file system\n');
  fakes.set('lsblk', 'warn-stderr', 'lsblk: dm-0: failed to get device path\n');
  fakes.set('parted', 'warn-stdout', 'Warning: Not all of the space available to /dev/loop0 appears to be used, you can fix the GPT to use all of the space (an extra 2048 blocks) or continue with the current setting?\n');
  fakes.set('lvs', 'warn-stdout', '  WARNING: Activation disabled. No device-mapper interaction will be attempted.\n');
  fakes.set('lvs', 'warn-stderr', lvsOut.stderr);

  const OUTPUT_FAULTS = { fail: 'TOOL_FAILED', hang: 'TIMEOUT', orphan: 'TIMEOUT', garbage: 'TOOL_FAILED', truncated: 'TOOL_FAILED', warnings: 'ok', huge: 'TOOL_FAILED', 'huge-stderr': 'TOOL_FAILED', signal: 'TOOL_FAILED' } as const;
  const volNames = (r: RpcReply) => ((r.result as { volumes?: { name: string }[] })?.volumes ?? []).map((v) => v.name).join(',');
  const targets: Target[] = [
    {
      id: 'dir vol.create qcow2 (qemu-img create)',
      tool: 'qemu-img', probe: 'qemu-img', pkg: 'qemu-utils', okMode: 'real',
      // qemu-img's stdout is not read for a create: garbage with exit 0 and no image is a tool
      // claiming what it did not do; truncated output does not apply.
      faults: { missing: 'TOOL_MISSING', noversion: 'TOOL_FAILED', fail: 'TOOL_FAILED', hang: 'TIMEOUT', orphan: 'TIMEOUT', escape: 'TIMEOUT', garbage: 'TOOL_FAILED', warnings: 'ok', huge: 'TOOL_FAILED', 'huge-stderr': 'TOOL_FAILED', signal: 'TOOL_FAILED' },
      // A volume is made under its partial name and renamed when whole (runner/scriptlet/api.ts).
      touch: join(pool, partialName('new.qcow2')),
      call: (a) => a.call('vol.create', { pool: 'fdir', name: 'new.qcow2', capacity: 4 * MiB, format: 'qcow2' }),
      checkOk: (r) => ((r.result as { format?: string })?.format === 'qcow2' && existsSync(join(pool, 'new.qcow2')) ? null : `not a qcow2 volume: ${JSON.stringify(r.result ?? r.error)}`),
      leftovers: [join(pool, 'new.qcow2'), join(pool, partialName('new.qcow2'))],
      undo: async () => void (await agent.ok('vol.delete', { volume: { pool: 'fdir', vol: 'new.qcow2' } }))
    },
    {
      id: 'dir vol.copy (qemu-img convert)',
      tool: 'qemu-img', probe: 'qemu-img', pkg: 'qemu-utils', okMode: 'real',
      faults: { fail: 'TOOL_FAILED', hang: 'TIMEOUT', orphan: 'TIMEOUT', garbage: 'TOOL_FAILED', warnings: 'ok', huge: 'TOOL_FAILED', 'huge-stderr': 'TOOL_FAILED', signal: 'TOOL_FAILED' },
      touch: join(pool, partialName('copy.qcow2')),
      call: (a) => a.call('vol.copy', { pool: 'fdir', name: 'copy.qcow2', from: { path: src.path }, format: 'qcow2' }),
      checkOk: (r) => ((r.result as { format?: string })?.format === 'qcow2' ? null : `not a qcow2 copy: ${JSON.stringify(r.result ?? r.error)}`),
      leftovers: [join(pool, 'copy.qcow2'), join(pool, partialName('copy.qcow2'))],
      undo: async () => void (await agent.ok('vol.delete', { volume: { pool: 'fdir', vol: 'copy.qcow2' } }))
    },
    {
      id: 'dir vol.create raw allocated (fallocate)',
      tool: 'fallocate', probe: 'qemu-img', pkg: 'util-linux', okMode: 'ok',
      // fallocate prints nothing that is read: only its exit matters.
      faults: { 'missing-secondary': 'TOOL_MISSING', fail: 'TOOL_FAILED', hang: 'TIMEOUT', huge: 'TOOL_FAILED', 'huge-stderr': 'TOOL_FAILED', signal: 'TOOL_FAILED' },
      call: (a) => a.call('vol.create', { pool: 'fdir', name: 'big.raw', capacity: 300 * MiB, allocation: 300 * MiB }),
      checkOk: (r) => ((r.result as { capacity?: number })?.capacity === 300 * MiB ? null : `no 300 MiB volume: ${JSON.stringify(r.result ?? r.error)}`),
      leftovers: [join(pool, 'big.raw'), join(pool, partialName('big.raw'))],
      undo: async () => void (await agent.ok('vol.delete', { volume: { pool: 'fdir', vol: 'big.raw' } }))
    },
    {
      id: 'host.listVolumes (lsblk --json)',
      tool: 'lsblk', probe: 'lsblk', pkg: 'util-linux', okMode: 'ok',
      faults: { missing: 'TOOL_MISSING', noversion: 'TOOL_FAILED', ...OUTPUT_FAULTS, escape: 'TIMEOUT' },
      call: (a) => a.call('host.listVolumes', {}),
      checkOk: (r) => (volNames(r) === lsblkOut.names ? null : `unexpected host volumes: ${JSON.stringify(r.result ?? r.error)}`),
      leftovers: []
    },
    {
      id: 'logical vol.list (lvs --reportformat json)',
      tool: 'lvs', probe: 'lvm', pkg: 'lvm2', okMode: 'ok',
      faults: { missing: 'TOOL_MISSING', 'missing-secondary': 'TOOL_MISSING', noversion: 'TOOL_FAILED', ...OUTPUT_FAULTS },
      call: (a) => a.call('vol.list', { pool: 'flog' }),
      checkOk: (r) => (volNames(r) === lvsOut.names ? null : `unexpected volumes: ${JSON.stringify(r.result ?? r.error)}`),
      leftovers: []
    },
    {
      id: 'disk vol.list (parted --json)',
      tool: 'parted', probe: 'parted', pkg: 'parted', okMode: 'ok',
      faults: { missing: 'TOOL_MISSING', noversion: 'TOOL_FAILED', ...OUTPUT_FAULTS },
      call: (a) => a.call('vol.list', { pool: 'fdisk' }),
      checkOk: (r) => (volNames(r) === partedOut.names ? null : `unexpected volumes: ${JSON.stringify(r.result ?? r.error)}`),
      leftovers: []
    }
  ];

  // Every target works before any fault.
  for (const tg of targets) {
    for (const a of [agent, timer]) {
      const r = await tg.call(a);
      t.equal(tg.checkOk(r), null, `${tg.id}: works before the faults`);
      await tg.undo?.();
    }
  }

  let injected = 0;
  let survived = 0;
  const broken: string[] = [];
  const rounds = SOAK ? 8 : 1;
  const defsBefore = snapshotDefs(home);
  const locksDir = join(home, 'locks');
  mkdirSync(locksDir, { recursive: true });

  /** One fault on one target: inject, call, check, restore, call again. */
  async function runCase(tg: Target, fault: Fault, want: string, round: number): Promise<void> {
    const label = `${tg.id}: ${fault}`;
    const problems: string[] = [];
    injected++;
    // Inject.
    if (fault === 'missing') fakes.hide(tg.probe);
    else if (fault === 'missing-secondary') fakes.hide(tg.tool);
    else if (fault === 'noversion') {
      fakes.set(tg.probe, 'probe', 'noversion');
      // A new binary (new mtime): the probe runs again instead of answering from its cache.
      const p = join(fakes.bin, tg.probe);
      const st = statSync(p);
      utimesSync(p, st.atime, new Date(st.mtimeMs + 1000 * (round + 1)));
    } else {
      fakes.mode(tg.tool, fault);
      if (tg.touch) fakes.set(tg.tool, 'touch', tg.touch);
    }
    const via = TIMED_FAULTS.has(fault) ? timer : agent;
    const started = Date.now();
    const r = await bounded(tg.call(via), ANSWER_GUARD_MS);
    const took = Date.now() - started; // reported with FAULTS_TIMING, never judged
    const code = codeOf(r);
    if (code !== want) problems.push(`code ${code}, wanted ${want}${r !== 'no answer' && r.error ? ` (${r.error.message})` : ''}`);
    if (r !== 'no answer' && want === 'ok') {
      const bad = tg.checkOk(r);
      if (bad) problems.push(bad);
    }
    if (r !== 'no answer' && r.error && code === want) {
      const d = r.error.data;
      if (want === 'TOOL_MISSING') {
        if (d.package !== tg.pkg && !r.error.message.includes(tg.pkg)) problems.push(`TOOL_MISSING does not name package ${tg.pkg}: ${JSON.stringify(d)}`);
      } else if (fault !== 'noversion') {
        if (!Array.isArray(d.argv) || d.argv[0] !== tg.tool) problems.push(`no argv of ${tg.tool} in the error data: ${JSON.stringify(d.argv)}`);
        if (!('exitCode' in d)) problems.push('no exitCode in the error data');
        if (typeof d.stderr !== 'string') problems.push('no stderr in the error data');
        if (d.tool === undefined || d.version === undefined || d.scriptlet === undefined) problems.push('no tool context (tool, version, scriptlet)');
      }
      if (fault === 'fail') {
        if (d.exitCode !== 3) problems.push(`exitCode ${String(d.exitCode)}, wanted 3`);
        if (!String(d.stderr).includes('frobnication of the quux failed')) problems.push(`stderr not kept: ${JSON.stringify(d.stderr)}`);
      }
      if (fault === 'signal' && !r.error.message.includes('SIGSEGV')) problems.push(`the message does not name the signal: ${r.error.message}`);
      if (fault === 'huge-stderr' && String(d.stderr).length > 4096) problems.push(`stderr in the error data is ${String(d.stderr).length} bytes`);
    }
    // hang, orphan, escape: the fakes would run for 1000 s, so TIMEOUT (checked above) is the
    // time limit ending them; how soon it came is the machine's speed, not the agent's behaviour.
    // Nothing half-done.
    if (fault !== 'escape') {
      const living = await allDead(fakes.takePids(tg.tool), DEAD_GUARD_MS);
      if (living.length) problems.push(`fake processes still alive: ${living.join(' ')}`);
    }
    if (want !== 'ok') {
      for (const p of tg.leftovers) if (existsSync(p)) problems.push(`left behind: ${p}`);
    }
    if (snapshotDefs(home) !== defsBefore) problems.push('pool definitions changed');
    // Only the dir targets lock (the lists take no lock); the other groups run meanwhile.
    if (tg.leftovers.length) {
      const locks = lockFilesLeft(locksDir);
      if (locks.length) problems.push(`lock files left: ${locks.join(' ')}`);
    }
    // Restore.
    if (fault === 'missing') fakes.unhide(tg.probe);
    else if (fault === 'missing-secondary') fakes.unhide(tg.tool);
    else if (fault === 'noversion') fakes.set(tg.probe, 'probe', null);
    else {
      fakes.mode(tg.tool, tg.okMode);
      fakes.set(tg.tool, 'touch', null);
    }
    if (fault === 'escape') {
      // The escaped process holds nothing of the agent's; end it before the next case.
      for (const pid of fakes.takePids(tg.tool)) if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
    if (want === 'ok' && r !== 'no answer' && !r.error) await tg.undo?.();
    else if (r !== 'no answer' && !r.error) {
      // A wrong success: clean up so the next case starts clean.
      await tg.undo?.().catch(() => undefined);
    }
    // The next request works.
    const next = await bounded(tg.call(via), ANSWER_GUARD_MS);
    if (next === 'no answer' || next.error) problems.push(`the next request failed: ${codeOf(next)}${next !== 'no answer' && next.error ? ` ${next.error.message}` : ''}`);
    else {
      const bad = tg.checkOk(next);
      if (bad) problems.push(`the next request: ${bad}`);
      await tg.undo?.();
    }
    if (problems.length === 0) survived++;
    else broken.push(`${label}: ${problems.join('; ')}`);
    if (round === 0 || problems.length) t.same(problems, [], label);
    if (process.env['FAULTS_TIMING']) t.comment(`${label}: ${took} ms, case ${Date.now() - started} ms`);
  }

  // Targets that share a fake run one after the other; the groups run side by side (the agent
  // serves concurrent requests), which keeps the suite short.
  const groups = new Map<string, Target[]>();
  for (const tg of targets) groups.set(tg.probe, [...(groups.get(tg.probe) ?? []), tg]);
  for (let round = 0; round < rounds; round++) {
    await Promise.all(
      [...groups.values()].map(async (list) => {
        for (const tg of list) {
          for (const [fault, want] of Object.entries(tg.faults) as [Fault, string][]) await runCase(tg, fault, want, round);
        }
      })
    );
  }

  t.same(lockFilesLeft(locksDir), [], 'no lock file left at the end');
  t.equal(agent.child.exitCode, null, 'the agent is still running');
  t.equal(timer.child.exitCode, null, 'the agent with the short time limit is still running');
  t.same([...agent.stdoutLines, ...timer.stdoutLines].filter((l) => !l.startsWith('{') && !l.startsWith('[')), [], 'nothing but JSON-RPC on stdout');
  recordFigure({ suite: 'tool-faults', metric: 'faults_injected', value: injected });
  recordFigure({ suite: 'tool-faults', metric: 'faults_survived', value: survived });
  recordFigure({ suite: 'tool-faults', metric: 'faults_broken', value: injected - survived });
  t.same(broken, [], 'every fault survived');
});
