// Crash safety: `storage-agent serve` is killed with SIGKILL at random points of pool.define (new
// pools and redefinitions with a changed target), pool.undefine, vol.create (raw, raw with
// allocation, qcow2), vol.copy (qcow2 with data -> raw) and first start-up, again and again on the
// same home. After each kill a new agent must start and answer, and:
// - every definition file parses as a whole pool (old or new, never torn); an acknowledged change
//   is never lost; temp files of the dead writer are gone once the new agent runs;
// - the killed operation's volume is absent, or whole (qemu-img and vol.get agree with what was
//   asked), and any partial file it left is removed by the next vol.list / pool.refresh;
// - the dead agent's lock files block nothing: the same names are used again at once, and none
//   naming a dead process remains;
// - no process the dead agent started (sandbox, tools) lives on.
// SOAK=1: several hundred kills (CRASH_RUNS overrides); CRASH_SEED replays a run.
import t, { type Test } from 'tap';
import { execFileSync } from 'node:child_process';
import { openSync, writeSync, closeSync, lstatSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { recordFigure, SOAK } from './figures.js';
import { seedsFor, seededBytes } from '../helpers/seeds.js';
import { Agent, alive, checkHome, codeOf, isFile, lockOwners, partials, pidAlive, qemuCheck, qemuInfo, qemuSame, rng, volumeFiles, waitGone, type Reply } from './kill-agent.js';

const MiB = 1024 * 1024;
const RUNS = Number(process.env['CRASH_RUNS'] ?? (SOAK ? 400 : 30));
// npm test: the fixed (and regression) seeds; the soak: a fresh one (test/helpers/seeds.ts).
const PLAN = seedsFor('crash');
const SRC_MIB = SOAK ? 128 : 48;

/** Does the agent answer within `ms`? (The timer is cleared: it must not hold the test open.) */
async function answers(a: Agent, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([a.call('agent.version').then(() => true, () => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

type Kind = 'define-new' | 'redefine' | 'undefine' | 'create-raw' | 'create-raw-alloc' | 'create-qcow2' | 'copy' | 'init';
const KINDS: Kind[] = ['define-new', 'redefine', 'undefine', 'create-raw', 'create-raw-alloc', 'create-qcow2', 'copy', 'init'];

interface Pending {
  run: number;
  kind: Kind;
  name: string;
  /** pool.define / redefine: the target asked for; the target before (redefine). */
  target?: string;
  before?: string;
  capacity?: number;
  allocation?: number;
  reply: Reply | null;
  killedPid: number;
  home: string;
}

const figures = {
  runs: 0,
  killedMidOperation: 0,
  completedBeforeKill: 0,
  agentsThatDidNotAnswer: 0,
  definitionsLost: 0,
  definitionsTorn: 0,
  volumesLost: 0,
  halfMadeVolumesLeft: 0,
  partialsLeftByKill: 0,
  partialsSwept: 0,
  deadTempFilesLeftByKill: 0,
  deadTempFilesAfterRestart: 0,
  staleLockFilesLeftByKill: 0,
  staleLockFilesAfterRestart: 0,
  blockedByStaleLock: 0,
  survivingProcesses: 0,
  stdoutNoise: 0
};

async function killRuns(t: Test, SEED: number): Promise<void> {
  t.comment(`seed ${SEED} (CRASH_SEED=${SEED} to replay)`);
  const work = tempDir(t, 'sa-crash-');
  const home = join(work, 'home');
  const poolDir = join(work, 'pool');
  const rand = rng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const problems: string[] = [];
  const problem = (p: Pending | null, what: string) => {
    const msg = p ? `run ${p.run} (${p.kind} ${p.name}, killed agent ${p.killedPid}): ${what}` : what;
    problems.push(msg);
    t.fail(msg);
  };

  // --- Set-up: a running dir pool with a qcow2 source full of data, a pool to redefine. -----
  let agent = new Agent(home);
  t.teardown(() => agent.kill9());
  await agent.ok('pool.define', { name: 'cp', type: 'dir', target: { path: poolDir } });
  await agent.ok('pool.build', { pool: 'cp' });
  await agent.ok('pool.start', { pool: 'cp' });
  const redef = await agent.ok<{ uuid: string }>('pool.define', { name: 'redef', type: 'dir', target: { path: join(work, 'redef-0') } });
  let redefTarget = join(work, 'redef-0');
  const srcRaw = join(work, 'src.raw');
  const fd = openSync(srcRaw, 'w');
  const data = rng(SEED + 1); // its own stream: the kill schedule does not depend on the image size
  for (let i = 0; i < SRC_MIB; i++) writeSync(fd, i % 4 === 3 ? Buffer.alloc(MiB) : seededBytes(data, MiB)); // some holes too
  closeSync(fd);
  execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', srcRaw, join(poolDir, 'src.qcow2')]);
  rmSync(srcRaw);
  const src = join(poolDir, 'src.qcow2');

  // How long each operation takes here, so the random kills land inside it.
  const params = (p: Pending): [string, object] => {
    switch (p.kind) {
      case 'define-new':
        return ['pool.define', { name: p.name, type: 'dir', target: { path: p.target } }];
      case 'redefine':
        return ['pool.define', { name: 'redef', uuid: redef.uuid, type: 'dir', target: { path: p.target } }];
      case 'undefine':
        return ['pool.undefine', { pool: p.name }];
      case 'create-raw':
        return ['vol.create', { pool: 'cp', name: p.name, capacity: p.capacity }];
      case 'create-raw-alloc':
        return ['vol.create', { pool: 'cp', name: p.name, capacity: p.capacity, allocation: p.allocation }];
      case 'create-qcow2':
        return ['vol.create', { pool: 'cp', name: p.name, capacity: p.capacity, allocation: p.allocation, format: 'qcow2' }];
      case 'copy':
        return ['vol.copy', { pool: 'cp', name: p.name, from: { pool: 'cp', vol: 'src.qcow2' }, format: 'raw' }];
      case 'init':
        return ['agent.version', {}];
    }
  };
  const make = (run: number, kind: Kind): Pending => {
    const base = { run, kind, reply: null, killedPid: 0, home };
    switch (kind) {
      case 'define-new':
        return { ...base, name: `n${run}`, target: join(work, `n${run}`) };
      case 'redefine':
        return { ...base, name: 'redef', target: join(work, `redef-${run}`), before: redefTarget };
      case 'undefine':
        return { ...base, name: `u${run}`, target: join(work, `u${run}`) };
      case 'create-raw':
        return { ...base, name: `r${run}.raw`, capacity: 64 * MiB };
      case 'create-raw-alloc':
        // Every other one with a name of 250 bytes: too long for `.sa-partial-NAME`.
        return { ...base, name: run % 2 ? `a${run}-${'x'.repeat(240)}`.slice(0, 250) : `a${run}.raw`, capacity: 48 * MiB, allocation: 48 * MiB };
      case 'create-qcow2':
        return { ...base, name: `q${run}.qcow2`, capacity: 256 * MiB, allocation: 256 * MiB };
      case 'copy':
        return { ...base, name: `c${run}.raw` };
      case 'init':
        return { ...base, name: 'default', home: join(work, `init-${run}`) };
    }
  };
  const took = new Map<Kind, number>();
  for (const kind of [...KINDS, ...KINDS]) {
    if (kind === 'init') {
      const h = join(work, 'init-cal');
      const t0 = Date.now();
      const a = new Agent(h);
      await a.ok('agent.version');
      took.set(kind, Date.now() - t0);
      await a.close();
      rmSync(h, { recursive: true, force: true });
      continue;
    }
    const p = make(-1, kind);
    if (kind === 'undefine') await agent.ok('pool.define', { name: p.name, type: 'dir', target: { path: p.target } });
    const [m, prm] = params(p);
    const t0 = process.hrtime.bigint();
    await agent.ok(m, prm);
    took.set(kind, Number(process.hrtime.bigint() - t0) / 1e6);
    if (kind === 'redefine') await agent.ok('pool.define', { name: 'redef', uuid: redef.uuid, type: 'dir', target: { path: redefTarget } });
    if (kind === 'define-new') await agent.ok('pool.undefine', { pool: p.name });
    if (kind.startsWith('create') || kind === 'copy') await agent.ok('vol.delete', { volume: { pool: 'cp', vol: p.name } });
  }
  t.comment(`operation times (ms): ${[...took].map(([k, v]) => `${k}=${v.toFixed(1)}`).join(' ')}`);

  // --- What a new agent must find after a kill. ---------------------------------------------
  const verify = async (a: Agent, p: Pending) => {
    const h = checkHome(p.home);
    for (const f of h.torn) {
      figures.definitionsTorn++;
      problem(p, `definition ${f} does not parse as a whole pool`);
    }
    for (const f of h.badState) problem(p, `state file ${f} does not parse`);
    for (const f of h.strange) problem(p, `unexpected file ${f} in ${p.home}/pools`);
    const deadTemps = h.temps.filter((x) => !pidAlive(x.pid));
    figures.deadTempFilesAfterRestart += deadTemps.length;
    if (deadTemps.length) problem(p, `temp files of dead writers still there after restart: ${deadTemps.map((x) => x.file).join(', ')}`);

    const list = await a.call('pool.list');
    if (list.error) return problem(p, `pool.list failed: ${codeOf(list)}`);
    const listed = new Map(((list.result?.['pools'] ?? []) as { name: string; target?: { path?: string } }[]).map((x) => [x.name, x.target?.path]));
    for (const name of h.pools.keys()) if (!listed.has(name)) problem(p, `pool ${name} has a definition but pool.list does not show it`);
    const acked = p.reply !== null && !p.reply.error;
    if (p.reply?.error) problem(p, `the operation failed before the kill: ${codeOf(p.reply)} ${p.reply.error.data?.message ?? ''}`);

    // Definitions.
    const lost = (what: string) => {
      figures.definitionsLost++;
      problem(p, what);
    };
    for (const must of ['cp', 'redef']) if (p.kind !== 'init' && !listed.has(must)) lost(`pool ${must} (never touched by this run) is gone`);
    if (p.kind === 'define-new') {
      if (listed.has(p.name) && listed.get(p.name) !== p.target) lost(`pool ${p.name} has target ${listed.get(p.name)}, not ${p.target}`);
      if (acked && !listed.has(p.name)) lost(`pool ${p.name} was acknowledged but is not defined`);
      if (listed.has(p.name)) {
        const info = await a.call('pool.get', { name: p.name });
        if (codeOf(info) !== 'ok' || info.result?.['state'] !== 'inactive') problem(p, `new pool ${p.name}: ${codeOf(info)} ${String(info.result?.['state'])}, not inactive`);
        await a.ok('pool.undefine', { pool: p.name });
      }
      // The same name again at once: no stale lock of the dead agent stands in the way.
      const again = await a.call('pool.define', { name: p.name, type: 'dir', target: { path: p.target } });
      if (codeOf(again) !== 'ok') blocked(p, `pool.define ${p.name} again: ${codeOf(again)}`);
      else await a.ok('pool.undefine', { pool: p.name });
    }
    if (p.kind === 'redefine') {
      const now = listed.get('redef');
      if (now !== p.target && now !== p.before) lost(`pool redef has target ${now}: neither the old ${p.before} nor the new ${p.target}`);
      if (acked && now !== p.target) lost(`redefinition of redef was acknowledged but the target is still ${now}`);
      if (now !== undefined && (now === p.target || now === p.before)) redefTarget = now;
      const again = await a.call('pool.define', { name: 'redef', uuid: redef.uuid, type: 'dir', target: { path: redefTarget } });
      if (codeOf(again) !== 'ok') blocked(p, `redefine redef again: ${codeOf(again)}`);
    }
    if (p.kind === 'undefine') {
      if (listed.has(p.name) && listed.get(p.name) !== p.target) lost(`pool ${p.name} has target ${listed.get(p.name)}, not ${p.target}`);
      if (acked && listed.has(p.name)) problem(p, `undefine of ${p.name} was acknowledged but it is still defined`);
      if (listed.has(p.name)) {
        const u = await a.call('pool.undefine', { pool: p.name });
        if (codeOf(u) !== 'ok') blocked(p, `pool.undefine ${p.name} again: ${codeOf(u)}`);
      }
      // A pool defined anew under that name starts from nothing: inactive, no autostart.
      const d = await a.call('pool.define', { name: p.name, type: 'dir', target: { path: p.target } });
      if (codeOf(d) !== 'ok') blocked(p, `pool.define ${p.name} anew: ${codeOf(d)}`);
      else {
        if (d.result?.['state'] !== 'inactive' || d.result?.['autostart'] !== false) problem(p, `${p.name} defined anew is ${String(d.result?.['state'])}, autostart ${String(d.result?.['autostart'])}: it inherited the undefined pool's state`);
        await a.ok('pool.undefine', { pool: p.name });
      }
    }
    if (p.kind === 'init') {
      if (!listed.has('default') || listed.get('default') !== join(p.home, 'images')) lost(`the first-use default pool is missing or wrong: ${String(listed.get('default'))}`);
      const v = await a.call('vol.list', { pool: 'default' });
      if (codeOf(v) !== 'ok') problem(p, `vol.list default on a home whose first start was killed: ${codeOf(v)}`);
      if (existsSync(p.home) && readdirSync(p.home).some((f) => f.startsWith('pools.init-'))) problem(p, 'a first-use staging directory is left in the home');
    }

    // The volume.
    if (p.kind.startsWith('create') || p.kind === 'copy') {
      const file = join(poolDir, p.name);
      const partialsBefore = partials(poolDir);
      figures.partialsLeftByKill += partialsBefore.length;
      if (isFile(file)) {
        const why = wholeness(p, file, src);
        if (why) {
          figures.halfMadeVolumesLeft++;
          problem(p, `volume ${p.name} is there but not whole: ${why}`);
        }
        const g = await a.call('vol.get', { pool: 'cp', vol: p.name });
        const want = p.kind === 'copy' ? qemuInfo(src)?.['virtual-size'] : p.capacity;
        const fmt = p.kind === 'create-qcow2' ? 'qcow2' : 'raw';
        if (codeOf(g) !== 'ok' || g.result?.['capacity'] !== want || g.result?.['format'] !== fmt) {
          figures.halfMadeVolumesLeft++;
          problem(p, `vol.get ${p.name}: ${codeOf(g)} capacity ${String(g.result?.['capacity'])} format ${String(g.result?.['format'])}, asked ${want} ${fmt}`);
        }
      } else if (acked) {
        figures.volumesLost++;
        problem(p, `volume ${p.name} was acknowledged but is not there`);
      }
      // The next listing removes what the killed operation left half made, and agrees with the
      // directory.
      const l = await a.call('vol.list', { pool: 'cp' });
      if (codeOf(l) !== 'ok') problem(p, `vol.list: ${codeOf(l)}`);
      const left = partials(poolDir);
      figures.partialsSwept += partialsBefore.filter((x) => !left.includes(x)).length;
      if (left.length) {
        figures.halfMadeVolumesLeft += left.length;
        problem(p, `partial files left after vol.list: ${left.join(', ')}`);
      }
      const names = ((l.result?.['volumes'] ?? []) as { name: string }[]).map((v) => v.name).sort();
      const files = volumeFiles(poolDir);
      if (JSON.stringify(names) !== JSON.stringify(files)) problem(p, `vol.list ${JSON.stringify(names)} differs from the directory ${JSON.stringify(files)}`);
      // The same name again at once (the dead agent held its lock).
      if (isFile(file)) {
        const d = await a.call('vol.delete', { volume: { pool: 'cp', vol: p.name } });
        if (codeOf(d) !== 'ok') blocked(p, `vol.delete ${p.name}: ${codeOf(d)}`);
      }
      const c = await a.call('vol.create', { pool: 'cp', name: p.name, capacity: MiB });
      if (codeOf(c) !== 'ok') blocked(p, `vol.create ${p.name} again: ${codeOf(c)}`);
      else await a.ok('vol.delete', { volume: { pool: 'cp', vol: p.name } });
    }

    // Lock files: none may name a dead process once the new agent has run.
    const dead = lockOwners(p.home).filter((l) => l.pid === null || !pidAlive(l.pid));
    figures.staleLockFilesAfterRestart += dead.length;
    if (dead.length) problem(p, `lock files of dead processes after restart: ${dead.map((l) => `${l.file}(${l.pid})`).join(', ')}`);
  };
  const blocked = (p: Pending, what: string) => {
    figures.blockedByStaleLock++;
    problem(p, what);
  };

  // --- The loop: each agent checks what the previous one left, then runs one operation and is
  // killed somewhere inside it. -----------------------------------------------------------------
  let prev: Pending | null = null;
  const trace = process.env['CRASH_TRACE'] === '1';
  const phase = new Map<string, number>();
  let mark = Date.now();
  const lap = (name: string) => {
    if (!trace) return;
    const now = Date.now();
    phase.set(name, (phase.get(name) ?? 0) + now - mark);
    mark = now;
  };
  t.teardown(() => {
    if (trace) t.comment(`phases (ms): ${[...phase].map(([k, v]) => `${k}=${v}`).join(' ')}`);
  });
  // Where a kill lands depends on the machine's speed (the delays come from operation times
  // measured at the start), so a loaded machine may land fewer inside the operation: runs go on
  // past RUNS until more than RUNS / 2 did (at most 3 x RUNS), rather than the answer depending on load.
  for (let run = 0; run < RUNS || (figures.killedMidOperation <= RUNS / 2 && run < 3 * RUNS); run++) {
    lap('other');
    if (prev) {
      if (prev.kind === 'init') {
        const a = new Agent(prev.home);
        const ok = await answers(a, 30_000);
        if (!ok) {
          figures.agentsThatDidNotAnswer++;
          problem(prev, `a new agent on ${prev.home} does not answer: ${a.stderr.slice(-500)}`);
        } else {
          await verify(a, prev);
        }
        await a.close();
        rmSync(prev.home, { recursive: true, force: true });
      } else {
        await verify(agent, prev);
      }
    }
    lap(`verify`);
    figures.runs++;
    const kind = KINDS[run % KINDS.length] as Kind;
    const p = make(run, kind);
    if (kind === 'undefine') {
      // With runtime state beside the definition (autostart), so an undefine cut between its
      // two removals leaves something to trip over.
      await agent.ok('pool.define', { name: p.name, type: 'dir', target: { path: p.target } });
      await agent.ok('pool.setAutostart', { pool: p.name, autostart: true });
    }
    const span = took.get(kind) ?? 50;
    const atOnce = rand() < 0.25;
    const delay = atOnce ? 0 : rand() * span * 1.3;
    let victim = agent;
    if (kind === 'init') {
      victim = new Agent(p.home);
      await new Promise((r) => setTimeout(r, rand() * span * 1.2));
    } else {
      const [m, prm] = params(p);
      const s = agent.send(m, prm);
      void s.reply.then((r) => (p.reply = r));
      await s.written;
      if (!atOnce) await new Promise((r) => setTimeout(r, delay));
    }
    lap('operation');
    const tree = victim.tree();
    victim.kill9();
    await victim.exited;
    p.killedPid = victim.pid;
    if (p.reply) figures.completedBeforeKill++;
    else figures.killedMidOperation++;
    figures.stdoutNoise += victim.junk.length;
    if (victim.junk.length) problem(p, `stdout noise: ${victim.junk.slice(0, 3).join(' | ')}`);

    // What the dead agent left, before anything runs again.
    figures.staleLockFilesLeftByKill += lockOwners(p.home).filter((l) => l.pid === p.killedPid).length;
    figures.deadTempFilesLeftByKill += checkHome(p.home).temps.filter((x) => x.pid === p.killedPid).length;
    // Processes it started (sandbox, tools) must go with it.
    const survivors = await waitGone(tree.filter((x) => x !== victim.pid), 3000);
    if (survivors.length) {
      figures.survivingProcesses += survivors.length;
      const cmd = survivors.map((x) => {
        try {
          return readFileSync(`/proc/${x}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
        } catch {
          return String(x);
        }
      });
      problem(p, `processes of the killed agent still running 3 s later: ${cmd.join(' | ')}`);
      for (const x of survivors) if (alive(x)) process.kill(x, 'SIGKILL');
    }

    lap('kill');
    if (kind !== 'init') {
      agent = new Agent(home);
      const ok = await answers(agent, 30_000);
      if (!ok) {
        figures.agentsThatDidNotAnswer++;
        problem(p, `the next agent does not answer: ${agent.stderr.slice(-500)}`);
        break;
      }
    }
    lap('start');
    prev = p;
  }
  if (prev) {
    if (prev.kind === 'init') {
      const a = new Agent(prev.home);
      await a.call('agent.version');
      await verify(a, prev);
      await a.close();
    } else {
      await verify(agent, prev);
    }
  }
  // The pool holds only the source now; nothing half made anywhere.
  t.same(volumeFiles(poolDir), ['src.qcow2'], 'only the source volume is left in the pool');
  t.same(partials(poolDir), [], 'no partial file is left in the pool');
  await agent.close();
  t.same(agent.junk, [], 'nothing but JSON-RPC on stdout');

  t.equal(figures.definitionsLost, 0, 'no definition lost');
  t.equal(figures.definitionsTorn, 0, 'no definition torn');
  t.equal(figures.volumesLost, 0, 'no acknowledged volume lost');
  t.equal(figures.halfMadeVolumesLeft, 0, 'no half-made volume left');
  t.equal(figures.blockedByStaleLock, 0, 'no operation blocked by a dead agent\'s lock');
  t.equal(figures.staleLockFilesAfterRestart, 0, 'no lock file of a dead agent once a new one ran');
  t.equal(figures.deadTempFilesAfterRestart, 0, 'no temp file of a dead writer once a new agent ran');
  t.equal(figures.survivingProcesses, 0, 'nothing the killed agent started lives on');
  t.ok(figures.killedMidOperation > RUNS / 2, `more than ${RUNS / 2} kills landed inside the operation (${figures.killedMidOperation} of ${figures.runs} runs)`);
  t.same(problems, [], 'no problem found');

  for (const [metric, value] of Object.entries(figures)) recordFigure({ suite: 'crash', metric, value });
  recordFigure({ suite: 'crash', metric: 'seed', value: SEED });
}

t.comment(PLAN.describe);
for (const seed of PLAN.seeds) t.test(`kill -9 at random points, ${RUNS} runs (seed ${seed})`, (t) => killRuns(t, seed));

/** Why a volume under its real name is not what was asked, or null when it is whole. */
function wholeness(p: Pending, file: string, src: string): string | null {
  const info = qemuInfo(file);
  if (!info) return 'qemu-img info cannot read it';
  const st = lstatSync(file);
  switch (p.kind) {
    case 'create-raw':
      if (info.format !== 'raw' || info['virtual-size'] !== p.capacity || st.size !== p.capacity) return `raw ${info['virtual-size']} bytes (file ${st.size}), asked ${p.capacity}`;
      return null;
    case 'create-raw-alloc':
      if (info.format !== 'raw' || st.size !== p.capacity) return `raw ${st.size} bytes, asked ${p.capacity}`;
      if (st.blocks * 512 < (p.allocation ?? 0)) return `only ${st.blocks * 512} bytes allocated, asked ${p.allocation}`;
      return null;
    case 'create-qcow2':
      if (info.format !== 'qcow2' || info['virtual-size'] !== p.capacity) return `${info.format} of ${info['virtual-size']} bytes, asked qcow2 of ${p.capacity}`;
      if (!qemuCheck(file, 'qcow2')) return 'qemu-img check finds errors';
      return null;
    case 'copy': {
      const s = qemuInfo(src);
      if (info.format !== 'raw' || info['virtual-size'] !== s?.['virtual-size']) return `${info.format} of ${info['virtual-size']} bytes, the source has ${s?.['virtual-size']}`;
      if (!qemuSame(src, 'qcow2', file, 'raw')) return 'its content differs from the source';
      return null;
    }
    default:
      return null;
  }
}
