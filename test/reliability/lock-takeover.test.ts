// The lock files of a killed agent are taken over by the next taker, and by one only: several
// processes that find the same stale lock at the same moment must not all win (a taker that
// removed the stale file must not remove the fresh one another taker just made). Also: an empty
// lock file (a process killed between creating and writing it) does not block for ever, and the
// start-up sweep removes what dead processes left.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readdirSync, existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { tempDir, DIST } from '../helpers/paths.js';
import { Locks } from '../../runner/state/locks.js';
import { recordFigure, SOAK } from './figures.js';

const ROUNDS = Number(process.env['TAKEOVER_ROUNDS'] ?? (SOAK ? 400 : 20));
const TAKERS = 6;
const LOCKS = join(DIST, 'runner', 'state', 'locks.js');
const fileOf = (dir: string, key: string) => join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.lock`);

/** A PID that is certainly not running: a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

// Each taker process tries round r's key once at the common time at0 + r * PERIOD, holds it a
// while if it got it, and reports one line per round.
const PERIOD = 250;
const TAKER = `
const { Locks } = await import(process.argv[1]);
const [dir, at0, rounds, period] = process.argv.slice(2).map((x, i) => (i === 0 ? x : Number(x)));
const locks = new Locks(dir);
for (let r = 0; r < rounds; r++) {
  const at = at0 + r * period;
  while (Date.now() < at) if (at - Date.now() > 5) await new Promise((res) => setTimeout(res, 1));
  const got = await locks.acquire('takeover', ['vol:test/' + r]);
  if (!got.ok) { process.stdout.write(r + ' ' + got.error.code + '\\n'); continue; }
  const from = Date.now();
  await new Promise((res) => setTimeout(res, period / 2));
  const to = Date.now();
  await got.value();
  process.stdout.write(r + ' won ' + from + ' ' + to + '\\n');
}
`;

function taker(dir: string, at0: number, rounds: number): Promise<string[]> {
  return new Promise((res) => {
    const c = spawn(process.execPath, ['--input-type=module', '-e', TAKER, LOCKS, dir, String(at0), String(rounds), String(PERIOD)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('exit', () => res(out.split('\n').filter(Boolean)));
  });
}

t.test(`a stale lock found by ${TAKERS} processes at once has one new owner (${ROUNDS} rounds)`, async (t) => {
  const dir = join(tempDir(t, 'sa-takeover-'), 'locks');
  mkdirSync(dir);
  // Every round's key starts out held by a dead process.
  const dead = deadPid();
  for (let r = 0; r < ROUNDS; r++) writeFileSync(fileOf(dir, `vol:test/${r}`), `${dead}:deadbeef0000`);
  const at0 = Date.now() + 1500; // time for the takers to start
  const lines = (await Promise.all(Array.from({ length: TAKERS }, () => taker(dir, at0, ROUNDS)))).flat();
  let doubles = 0;
  let none = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const got = lines.filter((l) => l.startsWith(`${r} `)).map((l) => l.slice(String(r).length + 1));
    t.equal(got.length, TAKERS, `round ${r}: every taker answered`);
    t.ok(got.every((g) => g.startsWith('won ') || g === 'CONFLICT'), `round ${r}: only wins and CONFLICTs (${got.join(' | ')})`);
    // Only overlapping holds are two owners (a late taker may win after the first let go).
    const holds = got.filter((g) => g.startsWith('won ')).map((g) => g.split(' ').slice(1).map(Number) as [number, number]).sort((a, b) => a[0] - b[0]);
    if (holds.some((h, i) => i > 0 && h[0] < (holds[i - 1] as [number, number])[1])) doubles++;
    if (holds.length === 0) none++;
  }
  t.equal(doubles, 0, 'never two owners at once');
  t.equal(none, 0, 'never no owner: the stale lock is always taken over');
  recordFigure({ suite: 'races', metric: 'staleTakeoverRounds', value: ROUNDS });
  recordFigure({ suite: 'races', metric: 'staleTakeoverDoubleOwners', value: doubles });
});

t.test('an empty lock file blocks only while it may still be being written', async (t) => {
  const dir = join(tempDir(t, 'sa-empty-lock-'), 'locks');
  const locks = new Locks(dir);
  writeFileSync(fileOf(dir, 'k'), '');
  const busy = await locks.acquire('empty', ['k']);
  t.equal(busy.ok ? 'ok' : busy.error.code, 'CONFLICT', 'a fresh empty lock file is a lock being written');
  const old = (Date.now() - 60_000) / 1000;
  utimesSync(fileOf(dir, 'k'), old, old);
  const took = await locks.acquire('empty', ['k']);
  t.ok(took.ok, 'an old empty lock file (its writer died before writing) is taken over');
  if (took.ok) await took.value();
});

t.test('the start-up sweep removes what dead processes left, and nothing of live ones', async (t) => {
  const dir = join(tempDir(t, 'sa-sweep-lock-'), 'locks');
  const live = new Locks(dir);
  const held = await live.acquire('live', ['live-x'], ['live-s']);
  t.ok(held.ok, 'a live process holds an exclusive and a shared key');
  const dead = deadPid();
  writeFileSync(fileOf(dir, 'dead-x'), `${dead}:0123456789ab`);
  const sharedDir = fileOf(dir, 'dead-s').replace(/\.lock$/, '.shared');
  mkdirSync(sharedDir);
  writeFileSync(join(sharedDir, `${dead}-0123456789ab`), '');
  writeFileSync(join(dir, `${dead}-0123456789ab.token`), `${dead}:0123456789ab`);
  const before = readdirSync(dir).length;
  const removed = new Locks(dir).sweep();
  t.ok(removed >= 3, `the dead process's lock, holder and token files are removed (${removed})`);
  t.notOk(existsSync(fileOf(dir, 'dead-x')), 'dead exclusive lock gone');
  t.notOk(existsSync(sharedDir), 'dead shared holder (and its empty directory) gone');
  t.ok(existsSync(fileOf(dir, 'live-x')), 'the live exclusive lock stays');
  t.ok(readdirSync(dir).length < before, 'fewer files');
  const liveShared = fileOf(dir, 'live-s').replace(/\.lock$/, '.shared');
  t.equal(readdirSync(liveShared).length, 1, 'the live shared holder file stays');
  if (held.ok) await held.value();
  t.notOk(existsSync(liveShared), 'released by its last holder, the shared directory goes');
  t.notOk(existsSync(fileOf(dir, 'live-x')), 'released, the exclusive lock file goes');
});
