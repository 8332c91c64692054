// Races: several `storage-agent serve` processes on one home, and many requests in flight in one
// process, all on the same dir pool:
// - the same volume name created by all at once: exactly one winner, the others CONFLICT or
//   VOLUME_EXISTS, and the file is what the winner asked;
// - different names at once: all succeed;
// - create, delete and resize of one name interleaved: every answer allowed, the end state whole;
// - pool.define of one name from every process: one definition, whole; redefinitions race;
// - pool.stop while volumes are made (in this process and others): refused or ordered, never a
//   volume made in a stopped pool.
// After each round nothing is corrupt: every volume file is whole, vol.list (of every process)
// agrees with the directory, definitions parse, and once the agents are gone no lock file is left.
// The A/B part of issue 18 (one agent changes, another answers) is fresh-answers.test.ts.
// Seeds (test/reliability/race-seeds.ts): `npm test` runs 500812079 (issue 18's), RACE_SEED=N
// runs N, SOAK=1 runs RACE_SOAK_SEEDS fresh seeds (default 60), one round each (RACE_ROUNDS
// overrides); every seed is printed, and appended to RACE_SEEDS_FILE with its outcome.
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { recordFigure, SOAK } from './figures.js';
import { Agent, checkHome, codeOf, lockOwners, partials, qemuCheck, qemuInfo, rng, volumeFiles, type Reply } from './kill-agent.js';
import { noteSeed, SEEDS } from './race-seeds.js';

const MiB = 1024 * 1024;
const PROCS = 4;
/** The whole suite runs the first fixed seed in `npm test` (issue 18's), every seed otherwise. */
const SUITE_SEEDS = SOAK || process.env['RACE_SEED'] !== undefined ? SEEDS : SEEDS.slice(0, 1);
const ROUNDS = Number(process.env['RACE_ROUNDS'] ?? (SOAK ? 1 : 4));

const newFigures = () => ({
  racesRun: 0,
  requests: 0,
  corruptions: 0,
  extraWinners: 0,
  noWinner: 0,
  unexpectedAnswers: 0,
  volumesInStoppedPool: 0,
  listDisagreements: 0,
  tornDefinitions: 0,
  staleLockFiles: 0,
  stopsRefused: 0,
  stopsDone: 0
});

interface VolAsk {
  name: string;
  capacity: number;
  format: 'raw' | 'qcow2';
  allocation?: number;
}

/** A subtest (t.test's last overload takes only the callback). */
type Test = Parameters<Parameters<typeof t.test>[0]>[0];

for (const SEED of SUITE_SEEDS) {
  t.test(`races: ${PROCS} agent processes and concurrent requests on one pool, ${ROUNDS} rounds (seed ${SEED})`, async (t) => {
    t.comment(`race seed ${SEED} (RACE_SEED=${SEED} replays it)`);
    noteSeed(SEED, 'suite', await suite(t, SEED));
  });
}

async function suite(t: Test, SEED: number): Promise<boolean> {
  const figures = newFigures();
  const work = tempDir(t, 'sa-races-');
  const home = join(work, 'home');
  const poolDir = join(work, 'pool');
  const stopDir = join(work, 'stoppool');
  const rand = rng(SEED);
  const problems: string[] = [];
  const problem = (what: string, kind: keyof ReturnType<typeof newFigures> = 'corruptions') => {
    figures[kind]++;
    problems.push(what);
    t.fail(what);
  };

  // One agent makes the home first (first use makes the default pool; that race is its own).
  const first = new Agent(home);
  await first.ok('pool.define', { name: 'rp', type: 'dir', target: { path: poolDir } });
  await first.ok('pool.build', { pool: 'rp' });
  await first.ok('pool.start', { pool: 'rp' });
  await first.ok('pool.define', { name: 'sp', type: 'dir', target: { path: stopDir } });
  await first.ok('pool.build', { pool: 'sp' });
  await first.ok('pool.start', { pool: 'sp' });
  await first.ok('vol.create', { pool: 'sp', name: 'src.qcow2', capacity: 8 * MiB, format: 'qcow2' });
  const agents = [first, ...Array.from({ length: PROCS - 1 }, () => new Agent(home))];
  t.teardown(() => agents.forEach((a) => a.kill9()));
  await Promise.all(agents.map((a) => a.ok('agent.version')));

  const send = (a: Agent, method: string, params: object): Promise<Reply> => {
    figures.requests++;
    return a.call(method, params);
  };
  const allowed = (what: string, r: Reply, codes: string[]) => {
    if (!codes.includes(codeOf(r))) problem(`${what}: answered ${codeOf(r)} (${r.error?.data?.message ?? ''}), allowed ${codes.join('/')}`, 'unexpectedAnswers');
  };
  /** Is the file what was asked? A reason when not. */
  const whole = (dir: string, ask: VolAsk): string | null => {
    const info = qemuInfo(join(dir, ask.name));
    if (!info) return 'qemu-img info cannot read it';
    if (info.format !== ask.format || info['virtual-size'] !== ask.capacity) return `${info.format} of ${info['virtual-size']} bytes, asked ${ask.format} of ${ask.capacity}`;
    if (!qemuCheck(join(dir, ask.name), ask.format)) return 'qemu-img check finds errors';
    return null;
  };
  const volParams = (pool: string, v: VolAsk) => ({ pool, name: v.name, capacity: v.capacity, format: v.format, ...(v.allocation ? { allocation: v.allocation } : {}) });
  const randomAsk = (name: string, i: number): VolAsk => {
    const kind = Math.floor(rand() * 3);
    const capacity = (i + 1 + Math.floor(rand() * 8)) * MiB;
    if (kind === 0) return { name, capacity, format: 'raw' };
    if (kind === 1) return { name, capacity, format: 'raw', allocation: capacity };
    return { name, capacity, format: 'qcow2' };
  };
  /** The requests of a race go to every process (multi) or all to one (single), several each. */
  const spread = <T>(mode: 'multi' | 'single', n: number, fn: (a: Agent, i: number) => Promise<T>): Promise<T[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => fn(mode === 'multi' ? (agents[i % PROCS] as Agent) : (agents[0] as Agent), i)));

  /** No corruption: partials gone, every process lists what the directory holds, files parse. */
  const settled = async (what: string, pool: string, dir: string) => {
    const left = partials(dir);
    if (left.length) problem(`${what}: partial files left: ${left.join(', ')}`);
    const files = volumeFiles(dir);
    const infos = new Map(files.map((f) => [f, qemuInfo(join(dir, f))]));
    for (const a of agents) {
      const l = await send(a, 'vol.list', { pool });
      if (codeOf(l) !== 'ok') {
        problem(`${what}: vol.list in agent ${a.pid}: ${codeOf(l)}`);
        continue;
      }
      const vols = (l.result?.['volumes'] ?? []) as { name: string; capacity: number; format: string }[];
      const names = vols.map((v) => v.name).sort();
      if (JSON.stringify(names) !== JSON.stringify(files)) problem(`${what}: agent ${a.pid} lists ${JSON.stringify(names)}, the directory holds ${JSON.stringify(files)}`, 'listDisagreements');
      for (const v of vols) {
        const info = infos.get(v.name);
        if (!info || info.format !== v.format || info['virtual-size'] !== v.capacity) problem(`${what}: agent ${a.pid} lists ${v.name} as ${v.format}/${v.capacity}, qemu-img says ${info?.format}/${info?.['virtual-size']}`, 'listDisagreements');
      }
    }
    const h = checkHome(home);
    if (h.torn.length) problem(`${what}: torn definitions ${h.torn.join(', ')}`, 'tornDefinitions');
  };

  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['multi', 'single'] as const) {
      const tag = `${mode}${round}`;

      const T0 = Date.now();
      const tr = (what: string) => {
        if (process.env['RACE_TRACE']) process.stderr.write(`${tag} ${what} at ${Date.now() - T0} ms\n`);
      };
      tr('start');
      // 1. One name, created by everyone at once: one winner, the file is what it asked.
      {
        figures.racesRun++;
        const name = `same-${tag}.img`;
        const asks = Array.from({ length: 12 }, (_, i) => randomAsk(name, i));
        const answers = await spread(mode, asks.length, (a, i) => send(a, 'vol.create', volParams('rp', asks[i] as VolAsk)));
        answers.forEach((r, i) => allowed(`same-name create #${i}`, r, ['ok', 'CONFLICT', 'VOLUME_EXISTS']));
        const winners = answers.map((r, i) => (codeOf(r) === 'ok' ? i : -1)).filter((i) => i >= 0);
        if (winners.length > 1) problem(`${tag}: ${winners.length} winners for ${name}`, 'extraWinners');
        if (winners.length === 0) problem(`${tag}: nobody created ${name} (${answers.map(codeOf).join(' ')})`, 'noWinner');
        if (winners.length === 1) {
          const why = whole(poolDir, asks[winners[0] as number] as VolAsk);
          if (why) problem(`${tag}: ${name} is not what its winner asked: ${why}`);
        }
        await settled(`${tag} same-name`, 'rp', poolDir);
        const d = await send(agents[round % PROCS] as Agent, 'vol.delete', { volume: { pool: 'rp', vol: name } });
        allowed(`delete ${name}`, d, winners.length ? ['ok'] : ['NO_VOLUME']);
      }

      tr('2. Different');
      // 2. Different names at once: all succeed, all whole; then all deleted at once.
      {
        figures.racesRun++;
        const asks = Array.from({ length: 16 }, (_, i) => randomAsk(`diff-${tag}-${i}.img`, i));
        const answers = await spread(mode, asks.length, (a, i) => send(a, 'vol.create', volParams('rp', asks[i] as VolAsk)));
        answers.forEach((r, i) => allowed(`create ${asks[i]?.name}`, r, ['ok']));
        for (const [i, ask] of asks.entries()) {
          if (codeOf(answers[i] as Reply) !== 'ok') continue;
          const why = whole(poolDir, ask);
          if (why) problem(`${tag}: ${ask.name}: ${why}`);
        }
        await settled(`${tag} different names`, 'rp', poolDir);
        const dels = await spread(mode, asks.length, (a, i) => send(a, 'vol.delete', { volume: { pool: 'rp', vol: (asks[i] as VolAsk).name } }));
        dels.forEach((r, i) => allowed(`delete ${asks[i]?.name}`, r, ['ok']));
      }

      tr('3. Create, delete');
      // 3. Create, delete and resize of one name, interleaved.
      {
        figures.racesRun++;
        const name = `mix-${tag}.img`;
        const creates = Array.from({ length: 6 }, (_, i) => randomAsk(name, i));
        const sizes = new Set<number>(creates.map((c) => c.capacity));
        const ops: (() => Promise<[string, Reply]>)[] = [];
        const who = (i: number) => (mode === 'multi' ? (agents[i % PROCS] as Agent) : (agents[0] as Agent));
        let k = 0;
        for (const c of creates) {
          const a = who(k++);
          ops.push(async () => ['create', await send(a, 'vol.create', volParams('rp', c))]);
          const cap = (16 + Math.floor(rand() * 16)) * MiB;
          sizes.add(cap);
          const b = who(k++);
          ops.push(async () => ['resize', await send(b, 'vol.resize', { volume: { pool: 'rp', vol: name }, capacity: cap })]);
          const d = who(k++);
          ops.push(async () => ['delete', await send(d, 'vol.delete', { volume: { pool: 'rp', vol: name } })]);
        }
        // Shuffled, and started a little apart so they really interleave.
        ops.sort(() => rand() - 0.5);
        const answers = await Promise.all(ops.map((op, i) => new Promise<[string, Reply]>((res) => setTimeout(() => void op().then(res), Math.floor(i * rand() * 3)))));
        for (const [what, r] of answers) {
          const ok = { create: ['ok', 'CONFLICT', 'VOLUME_EXISTS'], resize: ['ok', 'CONFLICT', 'NO_VOLUME', 'INVALID_ARGUMENT'], delete: ['ok', 'CONFLICT', 'NO_VOLUME'] }[what] as string[];
          allowed(`interleaved ${what} ${name}`, r, ok);
        }
        if (existsSync(join(poolDir, name))) {
          const info = qemuInfo(join(poolDir, name));
          const formats = new Set(creates.map((c) => c.format));
          if (!info || !formats.has(info.format as 'raw') || !sizes.has(info['virtual-size'])) {
            problem(`${tag}: ${name} ended as ${info?.format}/${info?.['virtual-size']}: no create or resize asked that`);
          } else if (!qemuCheck(join(poolDir, name), info.format)) {
            problem(`${tag}: ${name} fails qemu-img check`);
          }
          for (const a of agents) {
            const g = await send(a, 'vol.get', { pool: 'rp', vol: name });
            if (codeOf(g) !== 'ok' || g.result?.['capacity'] !== info?.['virtual-size'] || g.result?.['format'] !== info?.format) {
              problem(`${tag}: agent ${a.pid} says ${name} is ${codeOf(g)} ${String(g.result?.['format'])}/${String(g.result?.['capacity'])}, qemu-img says ${info?.format}/${info?.['virtual-size']}`, 'listDisagreements');
            }
          }
        }
        await settled(`${tag} interleaved`, 'rp', poolDir);
        if (existsSync(join(poolDir, name))) allowed(`delete ${name}`, await send(agents[0] as Agent, 'vol.delete', { volume: { pool: 'rp', vol: name } }), ['ok']);
      }

      tr('4. pool.define');
      // 4. pool.define of one name from everyone: one definition, whole; redefinitions race.
      {
        figures.racesRun++;
        const name = `pd-${tag}`;
        const targets = Array.from({ length: 8 }, (_, i) => join(work, `${name}-t${i}`));
        const answers = await spread(mode, targets.length, (a, i) => send(a, 'pool.define', { name, type: 'dir', target: { path: targets[i] } }));
        answers.forEach((r, i) => allowed(`define ${name} #${i}`, r, ['ok', 'CONFLICT', 'POOL_EXISTS']));
        const winners = answers.map((r, i) => (codeOf(r) === 'ok' ? i : -1)).filter((i) => i >= 0);
        if (winners.length !== 1) problem(`${tag}: ${winners.length} pool.define winners for ${name}`, winners.length ? 'extraWinners' : 'noWinner');
        const h = checkHome(home);
        if (h.torn.length) problem(`${tag}: torn definitions ${h.torn.join(', ')}`, 'tornDefinitions');
        const got = h.pools.get(name);
        if (winners.length === 1 && got?.target !== targets[winners[0] as number]) problem(`${tag}: ${name} has target ${got?.target}, its winner asked ${targets[winners[0] as number]}`);
        // Redefinitions with its UUID, from everyone: each applies whole, or is refused.
        if (got) {
          const re = await spread(mode, targets.length, (a, i) => send(a, 'pool.define', { name, uuid: got.uuid, type: 'dir', target: { path: targets[i] } }));
          re.forEach((r, i) => allowed(`redefine ${name} #${i}`, r, ['ok', 'CONFLICT']));
          const now = checkHome(home).pools.get(name);
          const acked = re.map((r, i) => (codeOf(r) === 'ok' ? targets[i] : null)).filter((x): x is string => x !== null);
          if (!now || (acked.length > 0 && !acked.includes(now.target as string))) problem(`${tag}: after racing redefinitions ${name} has target ${now?.target}, acknowledged were ${acked.join(', ')}`);
          const u = await spread(mode, 4, (a) => send(a, 'pool.undefine', { pool: name }));
          const undone = u.filter((r) => codeOf(r) === 'ok').length;
          u.forEach((r) => allowed(`undefine ${name}`, r, ['ok', 'CONFLICT', 'NO_POOL']));
          if (undone !== 1) problem(`${tag}: ${undone} successful undefines of ${name}`, undone ? 'extraWinners' : 'noWinner');
        }
        if (checkHome(home).pools.has(name)) problem(`${tag}: ${name} is still defined`);
      }

      tr('5. pool.stop');
      // 5. pool.stop while volumes are made, here and in other processes: refused or ordered;
      // once stopped, no volume appears in the pool.
      {
        figures.racesRun++;
        const made: { ask: VolAsk; reply: Promise<Reply>; kind: string }[] = [];
        const stopper = mode === 'multi' ? (agents[PROCS - 1] as Agent) : (agents[0] as Agent);
        let stopped = false;
        let stoppedAt = 0;
        let snapshot: string[] | null = null;
        const makers = mode === 'multi' ? agents.slice(0, PROCS - 1) : [agents[0] as Agent];
        const start = Date.now();
        // Keep making volumes, in bursts with pauses between (a pool busy without a pause can never
        // be stopped: every stop is refused while a volume operation holds it), until the pool is
        // stopped and a little after, or for at most a few seconds.
        const feeding = (async () => {
          let i = 0;
          while (!stopped || Date.now() - stoppedAt < 60) {
            if (Date.now() - start > 4000 || made.length >= 60) break;
            const burst = 1 + Math.floor(rand() * 4);
            for (let b = 0; b < burst; b++, i++) {
              const a = makers[i % makers.length] as Agent;
              const ask = randomAsk(`stop-${tag}-${i}.img`, i % 4);
              const copy = i % 5 === 4;
              const reply = copy
                ? send(a, 'vol.copy', { pool: 'sp', name: ask.name, from: { pool: 'sp', vol: 'src.qcow2' }, format: 'qcow2' })
                : send(a, 'vol.create', volParams('sp', ask));
              made.push({ ask: copy ? { name: ask.name, capacity: 8 * MiB, format: 'qcow2' } : ask, reply, kind: copy ? 'copy' : 'create' });
            }
            await new Promise((r) => setTimeout(r, Math.floor(rand() * 25)));
          }
        })();
        await new Promise((r) => setTimeout(r, 20 + Math.floor(rand() * 40)));
        for (let attempt = 0; !stopped && attempt < 5000; attempt++) {
          const r = await send(stopper, 'pool.stop', { pool: 'sp' });
          allowed('pool.stop during volume work', r, ['ok', 'CONFLICT', 'POOL_BUSY']);
          if (codeOf(r) === 'ok') {
            stopped = true;
            stoppedAt = Date.now();
            figures.stopsDone++;
            // What the stopped pool holds the moment the stop was acknowledged.
            snapshot = readdirSync(stopDir).sort();
          } else {
            figures.stopsRefused++;
            await new Promise((r) => setTimeout(r, 1 + Math.floor(rand() * 3)));
          }
        }
        if (!stopped) problem(`${tag}: pool.stop never succeeded, even after the volume work ended`, 'unexpectedAnswers');
        await feeding;
        const answers = await Promise.all(made.map((m) => m.reply));
        const after = readdirSync(stopDir).sort();
        if (JSON.stringify(after) !== JSON.stringify(snapshot)) {
          const extra = after.filter((f) => !snapshot?.includes(f));
          problem(`${tag}: files appeared in pool sp after it was stopped: ${extra.join(', ')}`, 'volumesInStoppedPool');
        }
        for (const [i, m] of made.entries()) {
          const r = answers[i] as Reply;
          allowed(`${m.kind} ${m.ask.name} around pool.stop`, r, ['ok', 'CONFLICT', 'POOL_INACTIVE']);
          const there = existsSync(join(stopDir, m.ask.name));
          if (codeOf(r) === 'ok' && !there) problem(`${tag}: ${m.ask.name} was acknowledged but is not in the pool`);
          if (codeOf(r) !== 'ok' && there) problem(`${tag}: ${m.ask.name} was refused (${codeOf(r)}) but is in the pool`, 'volumesInStoppedPool');
          if (codeOf(r) === 'ok' && there) {
            const why = whole(stopDir, m.ask);
            if (why) problem(`${tag}: ${m.ask.name}: ${why}`);
          }
        }
        tr(`5. checked ${made.length} made, stopped ${stopped}`);
        await send(stopper, 'pool.start', { pool: 'sp' });
        await settled(`${tag} stop`, 'sp', stopDir);
        const names = volumeFiles(stopDir).filter((n) => n !== 'src.qcow2');
        const dels = await spread(mode, names.length, (a, i) => send(a, 'vol.delete', { volume: { pool: 'sp', vol: names[i] } }));
        dels.forEach((r, i) => allowed(`delete ${names[i]}`, r, ['ok']));
        tr('5. done');
      }
    }
  }

  // 6. Lookups of a pool while other processes define and undefine it again and again: a
  // definition read as it is removed is no pool (NO_POOL), never an internal error.
  {
    // Per seed: the soak runs many seeds (it ran one seed of 60 rounds, and 400 churns, before).
    const churnRounds = SOAK ? 60 : 25;
    figures.racesRun++;
    const target = join(work, 'churn');
    let done = false;
    const churn = (async () => {
      for (let i = 0; i < churnRounds; i++) {
        const a = agents[i % 2] as Agent;
        allowed('churn define', await send(a, 'pool.define', { name: 'churn', type: 'dir', target: { path: target } }), ['ok', 'CONFLICT', 'POOL_EXISTS']);
        allowed('churn undefine', await send(agents[(i + 1) % 2] as Agent, 'pool.undefine', { pool: 'churn' }), ['ok', 'CONFLICT', 'NO_POOL']);
      }
      done = true;
    })();
    const lookers = agents.slice(2).map(async (a) => {
      while (!done) {
        const [g, x, l] = await Promise.all([send(a, 'pool.get', { name: 'churn' }), send(a, 'pool.dumpXml', { pool: 'churn' }), send(a, 'pool.list', {})]);
        allowed('pool.get during churn', g, ['ok', 'NO_POOL']);
        allowed('pool.dumpXml during churn', x, ['ok', 'NO_POOL']);
        allowed('pool.list during churn', l, ['ok']);
        allowed('pool.undefine during churn', await send(a, 'pool.undefine', { pool: 'churn' }), ['ok', 'CONFLICT', 'NO_POOL']);
      }
    });
    await Promise.all([churn, ...lookers]);
    await send(agents[0] as Agent, 'pool.undefine', { pool: 'churn' });
  }

  await settled('end', 'rp', poolDir);
  t.same(volumeFiles(poolDir), [], 'pool rp is empty again');
  await Promise.all(agents.map((a) => a.close()));
  for (const a of agents) t.same(a.junk, [], `agent ${a.pid}: nothing but JSON-RPC on stdout`);
  const locks = lockOwners(home);
  figures.staleLockFiles = locks.length;
  t.same(locks, [], 'no lock file is left once every agent has exited');
  const h = checkHome(home);
  t.same([h.torn, h.badState, h.strange, h.temps], [[], [], [], []], 'definitions whole, no temp or stray files');
  const lockDir = join(home, 'locks');
  const kept = readdirSync(lockDir);
  t.ok(kept.every((f) => f.endsWith('.shared') && readdirSync(join(lockDir, f)).length === 0), `the locks directory holds only empty .shared directories kept for reuse (${kept.length})`);
  // The next agent's start-up sweep removes those.
  const last = new Agent(home);
  await last.ok('agent.version');
  await last.close();
  t.same(readdirSync(lockDir), [], 'and the next agent start-up sweeps them');

  t.equal(figures.corruptions, 0, 'no corruption');
  t.equal(figures.extraWinners, 0, 'never two winners');
  t.equal(figures.noWinner, 0, 'always a winner');
  t.equal(figures.volumesInStoppedPool, 0, 'no volume made in a stopped pool');
  t.equal(figures.listDisagreements, 0, 'every process lists what is on disk');
  t.equal(figures.unexpectedAnswers, 0, 'only the allowed answers');
  t.same(problems, [], 'no problem found');
  for (const [metric, value] of Object.entries(figures)) recordFigure({ suite: 'races', metric, value });
  recordFigure({ suite: 'races', metric: 'seed', value: SEED });
  return problems.length === 0 && t.passing();
}
