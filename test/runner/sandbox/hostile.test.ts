// Hostile scriptlets (test/fixtures/hostile) get SANDBOX_DENIED (or TIMEOUT for those that block
// the sandbox) and change nothing; every attempt and every escape is counted (figures, suite
// 'sandbox').
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invoke, type InvokeOutcome } from '../../../runner/scriptlet/invoke.js';
import { realExecutor } from '../../../runner/scriptlet/executor.js';
import type { OperationName } from '../../../runner/scriptlet/api.js';
import { FIXTURES, tempDir } from '../../helpers/paths.js';
import { testRuntime } from '../../helpers/runtime.js';
import { recordFigure } from '../../reliability/figures.js';

const host = { deviceMapper: false, root: true };
// The sandbox's limits are set per attempt (they are read when a run starts), so that no answer
// depends on the machine's speed: the attempts that never end on their own (a busy loop,
// Atomics.wait, endless microtasks, a run that never returns, a command it waits for, memory
// exhaustion) run under SHORT limits, which they always reach; every other attempt under LONG
// limits, which no loaded machine reaches.
const SHORT = { stall: 1500, run: 4000 };
const LONG = { stall: 60_000, run: 120_000 };
const setLimits = (l: { stall: number; run: number }) => {
  process.env['STORAGE_AGENT_SANDBOX_STALL_MS'] = String(l.stall);
  process.env['STORAGE_AGENT_RUN_TIMEOUT_MS'] = String(l.run);
};
/** A guard only: an attempt that has not answered by then has blocked the runner (an escape). */
const ANSWER_WITHIN_MS = 150_000;

const codeOf = (o: InvokeOutcome | 'no answer') => (o === 'no answer' ? o : o.result.ok ? 'ok' : o.result.error.code);

async function bounded(p: Promise<InvokeOutcome>): Promise<InvokeOutcome | 'no answer'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'no answer'>((r) => (timer = setTimeout(() => r('no answer'), ANSWER_WITHIN_MS)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

t.test('hostile scriptlets are denied and change nothing', async (t) => {
  // The sandbox's limits, short for the test (read when runs start).
  const saved = { stall: process.env['STORAGE_AGENT_SANDBOX_STALL_MS'], run: process.env['STORAGE_AGENT_RUN_TIMEOUT_MS'], secret: process.env['SA_HOSTILE_SECRET'] };
  setLimits(LONG);
  // A secret in the agent's environment: the sandbox must not see it.
  process.env['SA_HOSTILE_SECRET'] = 'agent-secret';
  t.teardown(() => {
    for (const [k, v] of [['STORAGE_AGENT_SANDBOX_STALL_MS', saved.stall], ['STORAGE_AGENT_RUN_TIMEOUT_MS', saved.run], ['SA_HOSTILE_SECRET', saved.secret]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  const rt = await testRuntime(t, { scriptletDirs: [join(FIXTURES, 'hostile')] });
  const dir = tempDir(t);
  const pool = join(dir, 'pool');
  mkdirSync(pool);
  const def = { name: 'p', uuid: '11111111-2222-3333-4444-555555555555', type: 'dir' as const, target: { path: pool } };
  let progressCalls = 0;
  const run = (op: OperationName, scriptlet: string, input: object, pool_ = def) =>
    bounded(invoke(rt, {
      op, poolType: 'dir', input: { pool: pool_, ...input }, fsRoot: pool,
      onProgress: () => void progressCalls++,
      pinned: { scriptletId: `posix-1/${scriptlet}`, version: '1.0.0', host, executor: realExecutor }
    }));
  const door = (name: string) => run('pool.refresh', 'pool-refresh', {}, { ...def, name });

  let attempts = 0;
  const escapes: string[] = [];
  /** One attempt: the answer must be one of `want`, and `trace` (if given) must find nothing. */
  const attempt = async (label: string, o: Promise<InvokeOutcome | 'no answer'>, want: string[], trace?: () => string | null) => {
    attempts++;
    const got = await o;
    const code = codeOf(got);
    const left = trace?.() ?? null;
    const problems = [...(want.includes(code) ? [] : [`answered ${code}, wanted ${want.join(' or ')}${got !== 'no answer' && !got.result.ok ? ` (${got.result.error.message.slice(0, 200)})` : ''}`]), ...(left ? [left] : [])];
    if (problems.length) escapes.push(`${label}: ${problems.join('; ')}`);
    t.same(problems, [], label);
  };
  const noFile = (p: string) => () => (existsSync(p) ? `${p} exists` : null);
  /**
   * Make the victim's FIFO; the promise returned resolves once the victim's `cat` has it open
   * (a writer can open a FIFO without blocking only when a reader has it open), with the
   * function that lets the victim go.
   */
  const victimWaiting = (): Promise<() => void> => {
    const fifo = join(pool, 'victim-gate');
    rmSync(fifo, { force: true });
    execFileSync('mkfifo', [fifo]);
    return (async () => {
      for (let i = 0; ; i++) {
        try {
          const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
          return () => {
            closeSync(fd);
            rmSync(fifo, { force: true });
          };
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENXIO' || i > 3000) throw e;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    })();
  };

  // Commands and files.
  await attempt('undeclared binary', run('vol.list', 'vol-list', {}), ['SANDBOX_DENIED'], noFile(join(pool, 'undeclared')));
  const outsideFile = join(dir, 'outside.img');
  await attempt('declared tool writing outside the pool', run('vol.create', 'vol-create', { name: 'via-tool', capacity: 1, extra: { target: outsideFile } }), ['SANDBOX_DENIED'], noFile(outsideFile));
  await attempt('file operation outside the pool', run('vol.create', 'vol-create', { name: 'via-fs', capacity: 1, extra: { target: outsideFile } }), ['SANDBOX_DENIED'], noFile(outsideFile));
  const outsideQuery = join(dir, 'outside-query');
  await attempt(
    'declared tool writing outside the pool as a read-only query',
    run('vol.resize', 'vol-resize', { volume: { name: 'v', key: outsideQuery, path: join(pool, 'v'), type: 'file', capacity: 1, allocation: 0, format: 'raw' }, capacity: 2, shrink: false }),
    ['SANDBOX_DENIED'],
    noFile(outsideQuery)
  );
  const secret = join(rt.home, 'secret.txt');
  writeFileSync(secret, 'agent state');
  await attempt('reading the agent\'s state', run('vol.delete', 'vol-delete', { volume: { name: 's', key: secret, path: secret, type: 'file', capacity: 0, allocation: 0, format: 'raw' } }), ['SANDBOX_DENIED']);

  // Node's modules by import.
  for (const d of ['spawn', 'write', 'network']) {
    rmSync(`/tmp/sa-hostile-${d}`, { force: true });
    await attempt(`import door ${d}`, run('vol.get', 'vol-get', { name: d }), ['SANDBOX_DENIED'], d === 'network' ? undefined : noFile(`/tmp/sa-hostile-${d}`));
  }

  // Globals.
  for (const d of ['kill', 'exit', 'disconnect', 'eval', 'pollute']) await attempt(`global door ${d}`, door(d), ['SANDBOX_DENIED']);
  t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'the runner\'s prototypes are untouched');
  rmSync('/tmp/sa-hostile-builtin', { force: true });
  await attempt('process.getBuiltinModule: write a file', door('builtin-write'), ['SANDBOX_DENIED'], noFile('/tmp/sa-hostile-builtin'));
  for (const d of ['read-environ', 'read-parent-environ', 'read-parent-cmdline', 'env-secret']) await attempt(`environment: ${d}`, door(d), ['SANDBOX_DENIED']);
  for (const d of ['write-stderr', 'stream-stderr', 'stream-stdout']) await attempt(`standard streams: ${d}`, door(d), ['SANDBOX_DENIED']);

  // The IPC channel: requests in the name of a concurrent run that may run `touch` in its pool.
  for (const d of ['forge-send', 'forge-fd']) {
    const gate = victimWaiting();
    const victim = run('pool.start', 'pool-start', {});
    const release = await gate;
    await attempt(`IPC: ${d}`, door(d), ['SANDBOX_DENIED']);
    release();
    const v = await victim;
    t.equal(codeOf(v), 'ok', `${d}: the victim run still ends well`);
    attempts++;
    const forged = readdirSync(pool).filter((f) => f.startsWith('forged-'));
    if (forged.length) escapes.push(`IPC ${d}: a forged request ran in another run's name (${forged.join(' ')})`);
    t.same(forged, [], `${d}: no request ran in another run's name`);
  }
  // Whatever reaches the runner without the run's token is dropped.
  {
    const gate = victimWaiting();
    const victim = run('pool.start', 'pool-start', {});
    const release = await gate;
    const host_ = rt.sandbox as unknown as { onMessage(m: unknown): void; forgedMessages: number };
    const before = host_.forgedMessages;
    for (let id = 1; id <= 400; id++) host_.onMessage({ t: 'exec', id, token: 'guessed', callId: 2_000_000 + id, argv: ['touch', join(pool, `forged-direct-${id}`)], options: {}, mutating: true });
    for (let id = 1; id <= 400; id++) host_.onMessage({ t: 'done', id, token: 'guessed', result: { ok: true, value: { forged: true } } });
    release();
    const v = await victim;
    attempts++;
    const forged = readdirSync(pool).filter((f) => f.startsWith('forged-direct-'));
    const answered = v !== 'no answer' && v.result.ok && JSON.stringify(v.result.value).includes('forged');
    if (forged.length || answered) escapes.push(`IPC without the token: ${forged.length} forged requests ran, forged answer ${answered}`);
    t.same(forged, [], 'IPC messages with a wrong token run nothing');
    t.notOk(answered, 'nor answer for a run');
    t.equal(host_.forgedMessages - before, 800, 'all 800 were dropped and counted');
  }
  for (const d of ['listen-ipc', 'swap-nexttick', 'shadow-emit']) await attempt(`IPC: ${d}`, door(d), ['SANDBOX_DENIED']);

  // Shared built-ins.
  for (const d of ['patch-string', 'patch-map', 'patch-promise', 'patch-json', 'patch-regexp']) await attempt(`shared built-ins: ${d}`, door(d), ['SANDBOX_DENIED']);

  // Work that outlives the run, floods, blocks.
  await attempt('timers left running', door('timers'), ['SANDBOX_DENIED']);
  progressCalls = 0;
  await attempt('progress flood', door('progress-flood'), ['ok']);
  attempts++;
  if (progressCalls > 1000) escapes.push(`progress flood: ${progressCalls} reports reached the runner`);
  t.ok(progressCalls <= 1000, `progress reports reaching the runner are rate-limited (${progressCalls})`);
  await attempt('huge result', door('huge-result'), ['CONTRACT_VIOLATION']);
  await attempt('huge request', door('huge-argv'), ['SANDBOX_DENIED']);
  // These never end on their own: TIMEOUT is the limits ending them (how soon is the machine's speed).
  setLimits(SHORT);
  for (const d of ['spin', 'atomics', 'microtasks', 'forever']) await attempt(`blocking: ${d}`, door(d), ['TIMEOUT']);
  setLimits(LONG);

  // Commands left running when the run is over (returned without waiting, or killed at the run
  // timeout) are stopped with it.
  const sleepers = () =>
    readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .filter((n) => {
        try {
          return readFileSync(`/proc/${n}/cmdline`, 'utf8') === 'sleep\x0031.4159\x00';
        } catch {
          return false;
        }
      });
  for (const [name, want] of [['leave', 'ok'], ['wait', 'TIMEOUT']] as const) {
    setLimits(want === 'TIMEOUT' ? SHORT : LONG);
    const vol = { name, key: join(pool, name), path: join(pool, name), type: 'file', capacity: 1, allocation: 0, format: 'raw' };
    const answered = run('vol.wipe', 'vol-wipe', { volume: vol, algorithm: 'zero' }).then(async (o) => {
      // The kill is sent as the run ends: wait for the process to be gone (30 s is a guard only).
      for (let i = 0; i < 600 && sleepers().length; i++) await new Promise((r) => setTimeout(r, 50));
      return o;
    });
    await attempt(`command left running (${name})`, answered, [want], () => {
      const left = sleepers();
      return left.length ? `processes left running: ${left.join(' ')}` : null;
    });
  }

  // Memory: the sandbox's heap is capped; it dies (or is killed for blocking) alone, its runs
  // fail, the runner lives on.
  setLimits(SHORT);
  await attempt('memory exhaustion', door('memory'), ['INTERNAL', 'TIMEOUT']);
  setLimits(LONG);

  // The sandbox still serves after all that.
  const again = await door('no-door');
  t.equal(codeOf(again), 'INVALID_ARGUMENT', 'the sandbox keeps answering');

  recordFigure({ suite: 'sandbox', metric: 'attempts', value: attempts });
  recordFigure({ suite: 'sandbox', metric: 'escapes', value: escapes.length });
  t.same(escapes, [], 'no escape');
});
