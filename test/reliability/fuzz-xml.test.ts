// Pool and volume XML fuzzing: random mutations of libvirt's own test corpus
// (storagepoolxml2xmlin/, storagevolxml2xmlin/), generated documents with hostile sizes and
// units, and the classic attacks (DOCTYPE, entity expansion, external entities, deep nesting,
// documents just over 1 MiB). In process, parsePoolXml/parseVolXml never throw, answer XML_ERROR
// or a definition that passes the contract and survives a write/re-read unchanged, and are fast.
// Through one serve process, pool.define {xml} and vol.create {xml} answer the same way (or
// INVALID_ARGUMENT where that is the documented code), a defined pool's dumpXml re-reads to the
// same definition, and the pool directory only ever holds whole definitions that parse.
// Nothing is started: a defined pool is only a definition file, and every volume is made in a
// throwaway dir pool in the temp dir (large sizes go through dryRun, so nothing big is written).
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvType } from 'ajv';
import { tempDir } from '../helpers/paths.js';
import { seedsFor } from '../helpers/seeds.js';
import { contractsAjv } from '../../runner/contracts/validate.js';
import { parsePoolXml, formatPoolXml, parseVolXml, formatVolXml, type VolumeSpec } from '../../runner/xml/index.js';
import { nameProblem } from '../../runner/xml/names.js';
import type { PoolDefinition, Volume } from '../../runner/contracts/generated.js';
import type { Result } from '../../runner/errors.js';
import { RawAgent } from './fuzz-lib.js';
import { recordFigure, SOAK } from './figures.js';
import { ATTACKS, MIB, poolInputs, volInputs } from './xml-inputs.js';

const SUITE = 'fuzz-xml';
const SCALE = SOAK ? 20 : 1;
const IN_PROCESS = 400 * SCALE;
const THROUGH_SERVE = 100 * SCALE;
const MAX_MS = 2000; // CPU time per document, even at 1 MiB
// npm test: the fixed and regression seeds; the soak: a fresh one (test/helpers/seeds.ts).
const PLAN = seedsFor(SUITE);

const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: new (o: object) => AjvType };
const ajv = contractsAjv(Ajv);
const poolDefValid = ajv.getSchema('defs.json#/definitions/PoolDefinition');

// ---------------------------------------------------------------------------------------------
// In-process properties

/** Run `f`, timing it in CPU time (this process's), so that other work on the host does not count. */
function timed<T>(f: () => T): { value?: T; threw?: unknown; ms: number } {
  const c0 = process.cpuUsage();
  const cpuMs = () => {
    const d = process.cpuUsage(c0);
    return (d.user + d.system) / 1000;
  };
  try {
    const value = f();
    return { value, ms: cpuMs() };
  } catch (e) {
    return { threw: e, ms: cpuMs() };
  }
}

/** JSON with sorted keys: equality that ignores key order. */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

const leaks = (r: unknown) => /root:x:0:0|lollollol/.test(JSON.stringify(r));

function checkPool(xml: string, problems: string[], label: string): Result<PoolDefinition> | null {
  const r = timed(() => parsePoolXml(xml));
  if (r.threw !== undefined) {
    problems.push(`${label}: parsePoolXml threw ${String(r.threw).slice(0, 200)}`);
    return null;
  }
  if (r.ms > MAX_MS) problems.push(`${label}: parsePoolXml took ${Math.round(r.ms)} ms (${xml.length} characters: ${JSON.stringify(xml.slice(0, 300))})`);
  const res = r.value as Result<PoolDefinition>;
  if (leaks(res)) problems.push(`${label}: an entity was expanded`);
  if (!res.ok) {
    if (res.error.code !== 'XML_ERROR') problems.push(`${label}: ${res.error.code} (expected XML_ERROR): ${res.error.message.slice(0, 200)}`);
    if (res.error.message.length > 5000) problems.push(`${label}: error message of ${res.error.message.length} characters`);
    return res;
  }
  const def = res.value;
  if (!poolDefValid?.(def)) problems.push(`${label}: definition does not pass the contract: ${JSON.stringify(poolDefValid?.errors?.[0]).slice(0, 200)}`);
  const again = timed(() => parsePoolXml(formatPoolXml(def)));
  const back = again.value as Result<PoolDefinition> | undefined;
  // A document near the limits may outgrow them once written: pool.define refuses those (checked through serve).
  if (back && !back.ok && OUTGROWN.test(back.error.message)) return { ok: false, error: back.error };
  if (again.threw !== undefined || !back?.ok) problems.push(`${label}: formatPoolXml output does not re-read: ${String(again.threw ?? (back && !back.ok ? back.error.message : '')).slice(0, 300)}`);
  else if (canon(back.value) !== canon(def)) problems.push(`${label}: write/re-read changed the definition:\n  ${JSON.stringify(def).slice(0, 400)}\n  ${JSON.stringify(back.value).slice(0, 400)}`);
  return res;
}

/** The re-read errors of a document that only outgrew the input limits when written. */
const OUTGROWN = /^XML document (is larger than|has more than) /;

function volumeOf(spec: VolumeSpec): Volume {
  const path = `/pool/${spec.name}`;
  const v: Volume = { name: spec.name, key: path, path, type: spec.type ?? 'file', capacity: spec.capacity, allocation: spec.allocation ?? spec.capacity, format: spec.format ?? 'raw' };
  if (spec.backingStore) v.backingStore = spec.backingStore;
  if (spec.extra) v.extra = spec.extra;
  return v;
}

function checkVol(xml: string, problems: string[], label: string): Result<VolumeSpec> | null {
  const r = timed(() => parseVolXml(xml, { poolType: 'dir' }));
  if (r.threw !== undefined) {
    problems.push(`${label}: parseVolXml threw ${String(r.threw).slice(0, 200)}`);
    return null;
  }
  if (r.ms > MAX_MS) problems.push(`${label}: parseVolXml took ${Math.round(r.ms)} ms (${xml.length} characters: ${JSON.stringify(xml.slice(0, 300))})`);
  const res = r.value as Result<VolumeSpec>;
  if (leaks(res)) problems.push(`${label}: an entity was expanded`);
  if (!res.ok) {
    if (res.error.code !== 'XML_ERROR') problems.push(`${label}: ${res.error.code} (expected XML_ERROR): ${res.error.message.slice(0, 200)}`);
    if (res.error.message.length > 5000) problems.push(`${label}: error message of ${res.error.message.length} characters`);
    return res;
  }
  const s = res.value;
  if (nameProblem(s.name)) problems.push(`${label}: accepted a bad volume name ${JSON.stringify(s.name)}`);
  if (!Number.isSafeInteger(s.capacity) || s.capacity < 0) problems.push(`${label}: capacity ${s.capacity}`);
  if (s.allocation !== undefined && (!Number.isSafeInteger(s.allocation) || s.allocation < 0)) problems.push(`${label}: allocation ${s.allocation}`);
  const again = timed(() => parseVolXml(formatVolXml(volumeOf(s), { poolType: 'dir', preserved: s.preserved }), { poolType: 'dir' }));
  const back = again.value as Result<VolumeSpec> | undefined;
  // A volume's XML is not stored: a dumpXml that outgrew the input limits is only not re-usable as input.
  if (back && !back.ok && OUTGROWN.test(back.error.message)) return res;
  if (again.threw !== undefined || !back?.ok) problems.push(`${label}: formatVolXml output does not re-read: ${String(again.threw ?? (back && !back.ok ? back.error.message : '')).slice(0, 300)}`);
  else {
    const b = back.value;
    const same = b.name === s.name && b.capacity === s.capacity && b.allocation === (s.allocation ?? s.capacity) && (b.format ?? 'raw') === (s.format ?? 'raw') && JSON.stringify(b.backingStore) === JSON.stringify(s.backingStore);
    if (!same) problems.push(`${label}: write/re-read changed the volume:\n  ${JSON.stringify(s).slice(0, 300)}\n  ${JSON.stringify(b).slice(0, 300)}`);
  }
  return res;
}

async function inProcess(t: Test, seed: number): Promise<void> {
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} to replay)`);
  const problems: string[] = [];
  let maxMs = 0;
  let slowest = '';
  const tally = { ok: 0, refused: 0 };
  const pools = fc.sample(poolInputs, { numRuns: IN_PROCESS / 2, seed });
  const vols = fc.sample(volInputs, { numRuns: IN_PROCESS / 2, seed: seed + 1 });
  for (const [i, inp] of [...ATTACKS, ...pools].entries()) {
    const t0 = performance.now();
    const r = checkPool(inp.xml, problems, `pool #${i} (${inp.from})`);
    if (performance.now() - t0 > maxMs) [maxMs, slowest] = [performance.now() - t0, `pool #${i} (${inp.from}, ${inp.xml.length} characters)`];
    if (r) tally[r.ok ? 'ok' : 'refused']++;
  }
  for (const [i, inp] of [...ATTACKS, ...vols].entries()) {
    const t0 = performance.now();
    const r = checkVol(inp.xml, problems, `volume #${i} (${inp.from})`);
    if (performance.now() - t0 > maxMs) [maxMs, slowest] = [performance.now() - t0, `volume #${i} (${inp.from}, ${inp.xml.length} characters)`];
    if (r) tally[r.ok ? 'ok' : 'refused']++;
  }
  const tried = pools.length + vols.length + 2 * ATTACKS.length;
  if (process.env['FUZZ_PROBLEMS']) writeFileSync(process.env['FUZZ_PROBLEMS'], problems.join('\n') + '\n');
  recordFigure({ suite: SUITE, metric: 'in_process_inputs', value: tried });
  recordFigure({ suite: SUITE, metric: 'in_process_failures', value: problems.length });
  t.comment(`accepted ${tally.ok}, refused ${tally.refused}, slowest ${Math.round(maxMs)} ms with the round trip: ${slowest}`);
  t.ok(tally.ok > tried / 20, 'a fair share of the inputs are valid definitions (the fuzz reaches past the parser)');
  t.equal(problems.length, 0, `never throws, XML_ERROR or a definition that re-reads unchanged, under ${MAX_MS} ms of CPU${problems.length ? `: ${problems.slice(0, 6).join(' | ')}` : ''}`);
}

// ---------------------------------------------------------------------------------------------
// Through serve

/** Every file in the pools directory: whole definitions that parse, state files that are JSON, no temp files. */
function checkPoolDir(dir: string, problems: string[], when: string): void {
  for (const f of readdirSync(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (f.endsWith('.xml')) {
      const p = parsePoolXml(text);
      if (!p.ok) problems.push(`${when}: ${f} does not parse: ${p.error.message.slice(0, 200)}`);
      else if (`${p.value.name}.xml` !== f) problems.push(`${when}: ${f} holds pool ${p.value.name}`);
    } else if (f.endsWith('.state.json')) {
      try {
        JSON.parse(text);
      } catch {
        problems.push(`${when}: ${f} is not JSON`);
      }
    } else problems.push(`${when}: unexpected file ${f} in the pools directory`);
  }
}

const POOL_CODES = new Set(['XML_ERROR', 'INVALID_ARGUMENT', 'UNSUPPORTED', 'POOL_EXISTS']);
const VOL_CODES = new Set(['XML_ERROR', 'INVALID_ARGUMENT', 'VOLUME_EXISTS', 'NO_SPACE', 'TOOL_FAILED', 'UNSUPPORTED']);

async function throughServe(t: Test, seed: number): Promise<void> {
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} to replay)`);
  const root = tempDir(t, 'sa-fuzz-xml-');
  const home = join(root, 'home');
  const agent = new RawAgent(home, { cwd: root });
  t.teardown(() => {
    agent.child.kill('SIGKILL');
  });
  await agent.ok('pool.define', { name: 'xmlpool', type: 'dir', target: { path: join(root, 'xmlpool') } });
  await agent.ok('pool.build', { pool: 'xmlpool' });
  await agent.ok('pool.start', { pool: 'xmlpool' });
  const poolDir = join(home, 'pools');
  const problems: string[] = [];
  const tally = { defined: 0, created: 0, refused: 0, dryRun: 0 };
  const codes = new Map<string, number>();

  const pools = fc.sample(poolInputs, { numRuns: THROUGH_SERVE / 2, seed: seed + 2 });
  for (const [i, inp] of [...ATTACKS, ...pools].entries()) {
    const label = `pool.define #${i} (${inp.from})`;
    const local = parsePoolXml(inp.xml);
    const r = await agent.call('pool.define', { xml: inp.xml }, 30_000);
    if (!r) {
      problems.push(`${label}: no answer`);
      break;
    }
    if (leaks(r)) problems.push(`${label}: an entity was expanded`);
    const outgrows = local.ok && !parsePoolXml(formatPoolXml(local.value)).ok;
    if (outgrows && r.error?.data?.code !== 'XML_ERROR') problems.push(`${label}: a definition that outgrows the limits once written got ${JSON.stringify(r.error?.data?.code ?? 'defined')}`);
    if (r.error) {
      tally.refused++;
      const code = String(r.error.data?.code);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      if (!POOL_CODES.has(code)) problems.push(`${label}: ${code}: ${r.error.message.slice(0, 200)}`);
      if (!local.ok && code !== 'XML_ERROR' && !(code === 'INVALID_ARGUMENT' && (inp.xml.length > MIB || inp.xml === ''))) problems.push(`${label}: in process XML_ERROR, through serve ${code}`);
      if (r.error.message.length > 5000) problems.push(`${label}: error message of ${r.error.message.length} characters`);
    } else {
      tally.defined++;
      if (!local.ok) problems.push(`${label}: defined through serve, refused in process: ${local.error.message.slice(0, 200)}`);
      const pool = r.result as { name: string; uuid: string; type: string };
      // A document without a (non-empty) <uuid> gets a new one on every read.
      const reread = parsePoolXml(inp.xml);
      const uuidFromDocument = local.ok && reread.ok && reread.value.uuid === local.value.uuid;
      if (local.ok && (pool.name !== local.value.name || pool.type !== local.value.type || (uuidFromDocument && pool.uuid !== local.value.uuid))) {
        problems.push(`${label}: defined ${JSON.stringify([pool.name, pool.type, pool.uuid])}, the document says ${JSON.stringify([local.ok && local.value.name, local.ok && local.value.type, local.ok && local.value.uuid])}`);
      }
      const dump = await agent.call('pool.dumpXml', { pool: pool.uuid, inactive: true });
      const xml = (dump?.result as { xml?: string } | undefined)?.xml;
      if (!xml) problems.push(`${label}: dumpXml failed: ${JSON.stringify(dump?.error).slice(0, 200)}`);
      else {
        const again = parsePoolXml(xml);
        const stored = parsePoolXml(readFileSync(join(poolDir, `${pool.name}.xml`), 'utf8'));
        if (!again.ok) problems.push(`${label}: dumpXml does not re-read: ${again.error.message}`);
        else if (!stored.ok || canon(again.value) !== canon(stored.value)) problems.push(`${label}: dumpXml re-reads to another definition than the stored one`);
        else if (formatPoolXml(again.value) !== xml) problems.push(`${label}: dumpXml is not a fixed point of read/write`);
      }
      const u = await agent.code('pool.undefine', { pool: pool.uuid });
      if (u !== 'ok') problems.push(`${label}: undefine: ${u}`);
    }
    if (i % 20 === 0) checkPoolDir(poolDir, problems, label);
  }
  checkPoolDir(poolDir, problems, 'after pool.define');

  const vols = fc.sample(volInputs, { numRuns: THROUGH_SERVE / 2, seed: seed + 3 });
  for (const [i, inp] of [...ATTACKS, ...vols].entries()) {
    const label = `vol.create #${i} (${inp.from})`;
    const local = parseVolXml(inp.xml, { poolType: 'dir' });
    // Nothing big is written: a volume over 1 GiB, or asking for more than 64 MiB allocated, is planned only.
    const big = local.ok && (local.value.capacity > 1024 * MIB || (local.value.allocation ?? 0) > 64 * MIB);
    if (big) tally.dryRun++;
    const r = await agent.call('vol.create', { pool: 'xmlpool', xml: inp.xml, ...(big ? { dryRun: true } : {}) }, 60_000);
    if (!r) {
      problems.push(`${label}: no answer`);
      break;
    }
    if (leaks(r)) problems.push(`${label}: an entity was expanded`);
    if (r.error) {
      tally.refused++;
      const code = String(r.error.data?.code);
      codes.set(`vol ${code}`, (codes.get(`vol ${code}`) ?? 0) + 1);
      if (!VOL_CODES.has(code)) problems.push(`${label}: ${code}: ${r.error.message.slice(0, 200)}`);
      if (!local.ok && code !== 'XML_ERROR' && !(code === 'INVALID_ARGUMENT' && (inp.xml.length > MIB || inp.xml === ''))) problems.push(`${label}: in process XML_ERROR (${local.error.message.slice(0, 100)}), through serve ${code} (${r.error.message.slice(0, 100)}) for ${JSON.stringify(inp.xml.slice(0, 1500))}`);
    } else {
      if (!local.ok) problems.push(`${label}: created through serve, refused in process: ${local.error.message.slice(0, 200)}`);
      if (big) continue;
      tally.created++;
      const vol = (r.result as Volume | { volume?: Volume });
      const name = (vol as Volume).name;
      if (local.ok && name !== local.value.name) problems.push(`${label}: created ${JSON.stringify(name)}, the document says ${JSON.stringify(local.value.name)}`);
      const dump = await agent.call('vol.dumpXml', { volume: { pool: 'xmlpool', vol: name } });
      const xml = (dump?.result as { xml?: string } | undefined)?.xml;
      const again = xml ? parseVolXml(xml, { poolType: 'dir' }) : null;
      if (!again?.ok) problems.push(`${label}: vol.dumpXml does not re-read: ${JSON.stringify(dump?.error ?? (again && !again.ok ? again.error : '')).slice(0, 200)}`);
      else if (local.ok && (again.value.name !== local.value.name || again.value.capacity < local.value.capacity || again.value.capacity > local.value.capacity + MIB)) {
        problems.push(`${label}: dumpXml says ${again.value.name} ${again.value.capacity} bytes, asked for ${local.value.name} ${local.value.capacity}`);
      }
      const d = await agent.code('vol.delete', { volume: { pool: 'xmlpool', vol: name } });
      if (d !== 'ok') problems.push(`${label}: delete: ${d}`);
    }
  }
  const left = readdirSync(join(root, 'xmlpool'));
  t.same(left, [], 'no volume left behind in the pool');
  t.same(readdirSync(root).sort(), ['home', 'xmlpool'], 'nothing created beside the pool and home');
  const alive = await agent.call('agent.version', {}, 10_000);
  t.ok(alive?.result, 'serve still answers');
  t.same(agent.noise, [], 'nothing but JSON on stdout');
  const tried = pools.length + vols.length + 2 * ATTACKS.length;
  if (process.env['FUZZ_PROBLEMS']) writeFileSync(process.env['FUZZ_PROBLEMS'], problems.join('\n') + '\n', { flag: 'a' });
  recordFigure({ suite: SUITE, metric: 'serve_inputs', value: tried });
  recordFigure({ suite: SUITE, metric: 'serve_failures', value: problems.length });
  t.comment(`defined ${tally.defined}, created ${tally.created} (+${tally.dryRun} planned only), refused ${tally.refused}: ${JSON.stringify(Object.fromEntries(codes))}`);
  t.ok(tally.defined > 0 && tally.created > 0, 'some documents were accepted');
  t.equal(problems.length, 0, `every document: XML_ERROR (or a documented code) or a whole definition${problems.length ? `: ${problems.slice(0, 6).join(' | ')}` : ''}`);
  t.equal(await agent.close(), 0, 'EOF: exit 0');
}

t.comment(PLAN.describe);
for (const seed of PLAN.seeds) {
  if (PLAN.runs(seed, 'in process')) t.test(`in process: parsePoolXml and parseVolXml (seed ${seed})`, (t) => inProcess(t, seed));
  if (PLAN.runs(seed, 'through serve')) t.test(`through serve: pool.define {xml} and vol.create {xml} (seed ${seed})`, (t) => throughServe(t, seed));
}
