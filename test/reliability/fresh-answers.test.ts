// Issue 18, A/B: agent A resizes a volume, re-creates it with another format (and with another
// capacity in the same format: a qcow2 keeps its file size, only header bytes change) and deletes
// it, while agent B looks it up; after each of A's steps B answers vol.get, vol.dumpXml, vol.list
// and pool.get, and every answer must be what is on disk now: qemu-img info and lstat of the
// file, the directory, statfs of the pool's file system (test/reliability/agrees.ts). B had
// answered about the volume before each step, so an answer kept from before would show.
// Seeds: test/reliability/race-seeds.ts (every fixed seed in `npm test`, fresh ones under SOAK=1).
import t from 'tap';
import { mkdirSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { SOAK } from './figures.js';
import { Agent, codeOf, rng, type Reply } from './kill-agent.js';
import { disagreements } from './agrees.js';
import { noteSeed, SEEDS } from './race-seeds.js';

const MiB = 1024 * 1024;
const AB_CYCLES = Number(process.env['RACE_AB_CYCLES'] ?? (SOAK ? 12 : 3));

/** A subtest (t.test's last overload takes only the callback). */
type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/**
 * A private file system for the A/B pool when this process may mount one (root): nothing else
 * writes there, so pool.get's sizes can be compared exactly with statfs. Elsewhere the pool sits
 * in the temp dir and its sizes are not compared (other work on the host moves them).
 */
function privateFs(t: Test, work: string): { dir: string; exact: boolean } {
  const dir = join(work, 'pool');
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return { dir, exact: false };
  const mnt = mkdtempSync(join(tmpdir(), 'sa-races-ab-mnt-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m,mode=0711', 'sa-races-ab', mnt], { stdio: 'ignore' });
  } catch {
    rmdirSync(mnt);
    return { dir, exact: false };
  }
  // Lazily: an agent killed by a failing test may still hold it for a moment.
  t.teardown(() => {
    execFileSync('umount', ['-l', mnt], { stdio: 'ignore' });
    rmdirSync(mnt);
  });
  return { dir: mnt, exact: true };
}

for (const SEED of SEEDS) {
  t.test(`A/B: agent A changes a volume, agent B answers between every step; B equals qemu-img info and the file system (seed ${SEED})`, async (t) => {
    t.comment(`race seed ${SEED} (A/B part; RACE_SEED=${SEED} replays it)`);
    const work = tempDir(t, 'sa-races-ab-');
    const home = join(work, 'home');
    const { dir, exact } = privateFs(t, work);
    if (!exact) t.comment('not root or no tmpfs: pool sizes are not compared');
    const rand = rng(SEED);
    const a = new Agent(home);
    await a.ok('pool.define', { name: 'ab', type: 'dir', target: { path: dir } });
    await a.ok('pool.build', { pool: 'ab' });
    await a.ok('pool.start', { pool: 'ab' });
    const b = new Agent(home);
    t.teardown(() => [a, b].forEach((x) => x.kill9()));
    const problems: string[] = [];
    // While A works, B keeps looking the volume up (what it reads then may be gone by the time it
    // remembers it: issue 18's failure); once A has answered, B's answers must be the disk's.
    const whileA = async (work: Promise<Reply>): Promise<Reply> => {
      let done = false;
      const looking = (async () => {
        while (!done) await b.call('vol.get', { pool: 'ab', vol: 'ab.img' });
      })();
      const r = await work;
      done = true;
      await looking;
      return r;
    };
    const step = async (what: string, r: Reply | null) => {
      if (r && codeOf(r) !== 'ok') problems.push(`${what}: agent A answered ${codeOf(r)} ${r.error?.data?.message ?? ''}`);
      for (const d of await disagreements(b, 'ab', dir, 'ab.img', exact)) problems.push(`after ${what}: agent B ${d}`);
    };
    const byA = (method: string, params: object) => whileA(a.call(method, params));
    // A volume nobody touches, so the list has something B may keep.
    await a.ok('vol.create', { pool: 'ab', name: 'still.qcow2', capacity: 4 * MiB, format: 'qcow2' });
    const other = (f: string) => (f === 'raw' ? 'qcow2' : 'raw');
    const capacity = () => (1 + Math.floor(rand() * 12)) * MiB;
    await step('start', null);
    for (let c = 0; c < AB_CYCLES; c++) {
      const f1 = rand() < 0.5 ? 'raw' : 'qcow2';
      const c1 = capacity();
      const alloc = f1 === 'raw' && rand() < 0.5 ? { allocation: c1 } : {};
      await step(`cycle ${c}: create ${f1}/${c1}`, await byA('vol.create', { pool: 'ab', name: 'ab.img', capacity: c1, format: f1, ...alloc }));
      const c2 = c1 + capacity();
      await step(`cycle ${c}: resize to ${c2}`, await byA('vol.resize', { volume: { pool: 'ab', vol: 'ab.img' }, capacity: c2 }));
      const f2 = other(f1);
      const c3 = capacity();
      await byA('vol.delete', { volume: { pool: 'ab', vol: 'ab.img' } });
      await step(`cycle ${c}: re-create as ${f2}/${c3}`, await byA('vol.create', { pool: 'ab', name: 'ab.img', capacity: c3, format: f2 }));
      // Same format, another capacity: a qcow2 keeps its file size (only header bytes differ).
      const c4 = c3 + MiB;
      await byA('vol.delete', { volume: { pool: 'ab', vol: 'ab.img' } });
      await step(`cycle ${c}: re-create as ${f2}/${c4}`, await byA('vol.create', { pool: 'ab', name: 'ab.img', capacity: c4, format: f2 }));
      await step(`cycle ${c}: delete`, await byA('vol.delete', { volume: { pool: 'ab', vol: 'ab.img' } }));
    }
    await Promise.all([a.close(), b.close()]);
    t.same(problems, [], `B always agreed with the disk once A had answered (${AB_CYCLES} cycles of 5 steps)`);
    noteSeed(SEED, 'ab', problems.length === 0);
  });
}
