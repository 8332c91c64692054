// The XML writer is a fixed point of read/write: for every document the agent accepts,
// write(read(write(read(x)))) === write(read(x)), and the definition read back from the agent's
// own output equals the one first read (unknown elements, their namespaced attributes and
// namespace declarations included). Over the whole libvirt corpus (../shared/peer/libvirt/tests:
// pool and volume inputs and libvirt's outputs) and over fuzzed documents (the fuzz suite's
// generators, test/reliability/xml-inputs.ts), with fixed seeds in npm test and fresh ones in
// the soak (test/helpers/seeds.ts). FIXED_POINT_DOCS sets how many fuzzed documents a run draws.
import t from 'tap';
import fc from 'fast-check';
import { parsePoolXml, formatPoolXml, parseVolXml, formatVolXml, type VolumeSpec } from '../../../runner/xml/index.js';
import { POOL_TYPES } from '../../../runner/xml/pool-types.js';
import type { PoolType, Volume } from '../../../runner/contracts/generated.js';
import { seedsFor } from '../../helpers/seeds.js';
import { readCorpus, poolInputs, volInputs, ATTACKS, type XmlInput } from '../../reliability/xml-inputs.js';

const SOAK = process.env['SOAK'] === '1';
/** Fuzzed documents per run: all 10,000 in the soak; npm test's share, over its fixed seeds. */
const DOCS = Number(process.env['FIXED_POINT_DOCS'] ?? (SOAK ? 10_000 : 1_000));
const PLAN = seedsFor('xml-fixed-point', 10);
const PER_SEED = Math.ceil(DOCS / PLAN.seeds.length);

/** JSON with sorted object keys: equality that ignores key order. */
const canon = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x));

/** A re-read refused only because the written form outgrew the input limits (pool.define refuses those documents). */
const OUTGROWN = /^XML document (is larger than|has more than) /;

type Verdict = 'refused' | 'fixed' | 'outgrown';

function poolFixedPoint(inp: XmlInput, problems: string[]): Verdict {
  const d1 = parsePoolXml(inp.xml);
  if (!d1.ok) return 'refused';
  const w1 = formatPoolXml(d1.value);
  const d2 = parsePoolXml(w1);
  if (!d2.ok) {
    if (OUTGROWN.test(d2.error.message)) return 'outgrown';
    problems.push(`${inp.from}: write(read(x)) does not re-read: ${d2.error.message.slice(0, 200)}`);
    return 'fixed';
  }
  if (canon(d2.value) !== canon(d1.value)) problems.push(`${inp.from}: read(write(read(x))) is another definition:\n  ${canon(d1.value).slice(0, 600)}\n  ${canon(d2.value).slice(0, 600)}`);
  const w2 = formatPoolXml(d2.value);
  if (w2 !== w1) problems.push(`${inp.from}: write(read(write(read(x)))) differs from write(read(x)):\n${firstDiff(w1, w2)}`);
  return 'fixed';
}

/** The volume vol-dumpxml writes for a spec read from a document (in a pool of `poolType`). */
function volumeOf(spec: VolumeSpec, poolType: PoolType | undefined): Volume {
  const path = `/pool/${spec.name}`;
  const format = spec.format ?? (poolType ? POOL_TYPES[poolType].defaultVolFormat : undefined) ?? 'raw';
  const v: Volume = { name: spec.name, key: path, path, type: spec.type ?? 'file', capacity: spec.capacity, allocation: spec.allocation ?? spec.capacity, format };
  if (spec.backingStore) v.backingStore = spec.backingStore;
  if (spec.permissions) v.permissions = spec.permissions;
  if (spec.extra) v.extra = spec.extra;
  return v;
}

function volFixedPoint(inp: XmlInput, poolType: PoolType | undefined, problems: string[]): Verdict {
  const opts = poolType ? { poolType } : {};
  const s1 = parseVolXml(inp.xml, opts);
  if (!s1.ok) return 'refused';
  const write = (s: VolumeSpec) => formatVolXml(volumeOf(s, poolType), { ...opts, preserved: s.preserved });
  const w1 = write(s1.value);
  const s2 = parseVolXml(w1, opts);
  const label = `${inp.from} (${poolType ?? 'any'} pool)`;
  if (!s2.ok) {
    if (OUTGROWN.test(s2.error.message)) return 'outgrown';
    problems.push(`${label}: write(read(x)) does not re-read: ${s2.error.message.slice(0, 200)}`);
    return 'fixed';
  }
  const def = (s: VolumeSpec) => canon({ volume: volumeOf(s, poolType), preserved: s.preserved ?? null });
  if (def(s2.value) !== def(s1.value)) problems.push(`${label}: read(write(read(x))) is another volume:\n  ${def(s1.value).slice(0, 600)}\n  ${def(s2.value).slice(0, 600)}`);
  const w2 = write(s2.value);
  if (w2 !== w1) problems.push(`${label}: write(read(write(read(x)))) differs from write(read(x)):\n${firstDiff(w1, w2)}`);
  return 'fixed';
}

function firstDiff(a: string, b: string): string {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) if (la[i] !== lb[i]) return `  line ${i + 1}: ${JSON.stringify((la[i] ?? '').slice(0, 300))}\n       vs ${JSON.stringify((lb[i] ?? '').slice(0, 300))}`;
  return '  (same lines)';
}

const tally = () => ({ refused: 0, fixed: 0, outgrown: 0 });

t.test('the whole libvirt corpus: write(read(x)) is a fixed point', async (t) => {
  const pools = [...readCorpus('storagepoolxml2xmlin'), ...readCorpus('storagepoolxml2xmlout')];
  const vols = [...readCorpus('storagevolxml2xmlin'), ...readCorpus('storagevolxml2xmlout')];
  t.ok(pools.length >= 70 && vols.length >= 45, `the corpus is there (${pools.length} pool and ${vols.length} volume documents)`);
  const problems: string[] = [];
  const p = tally();
  for (const inp of pools) p[poolFixedPoint(inp, problems)]++;
  const v = tally();
  const volPoolTypes: Array<PoolType | undefined> = [undefined, ...(Object.keys(POOL_TYPES) as PoolType[])];
  for (const inp of vols) for (const pt of volPoolTypes) v[volFixedPoint(inp, pt, problems)]++;
  t.comment(`pools: ${JSON.stringify(p)}; volumes over ${volPoolTypes.length} pool types: ${JSON.stringify(v)}`);
  // The supported pool types of the corpus are accepted (the others are libvirt-only types).
  t.ok(p.fixed >= 30, 'most pool documents are accepted, so the property says something');
  t.ok(v.fixed >= vols.length, 'volume documents are accepted');
  t.equal(problems.length, 0, `every accepted document is a fixed point${problems.length ? `:\n${problems.slice(0, 8).join('\n')}` : ''}`);
});

t.test('the classic attacks that are accepted: a fixed point too', async (t) => {
  const problems: string[] = [];
  const p = tally();
  for (const inp of ATTACKS) {
    p[poolFixedPoint(inp, problems)]++;
    p[volFixedPoint(inp, 'dir', problems)]++;
  }
  t.comment(JSON.stringify(p));
  t.equal(problems.length, 0, `fixed points${problems.length ? `:\n${problems.slice(0, 8).join('\n')}` : ''}`);
});

t.comment(`${PLAN.describe}; ${DOCS} fuzzed documents, ${PER_SEED} per seed`);
for (const seed of PLAN.seeds) {
  t.test(`fuzzed documents, seed ${seed}: write(read(x)) is a fixed point`, async (t) => {
    t.comment(`FIXED_POINT_SEED=${seed} to replay (${PER_SEED} documents)`);
    const problems: string[] = [];
    // The same draws as the fuzz suite's in-process part for a seed (pools: seed, volumes: seed + 1).
    const pools = fc.sample(poolInputs, { numRuns: Math.ceil(PER_SEED / 2), seed });
    const vols = fc.sample(volInputs, { numRuns: Math.floor(PER_SEED / 2), seed: seed + 1 });
    const p = tally();
    for (const [i, inp] of pools.entries()) p[poolFixedPoint({ from: `pool #${i} (${inp.from})`, xml: inp.xml }, problems)]++;
    const v = tally();
    for (const [i, inp] of vols.entries()) v[volFixedPoint({ from: `volume #${i} (${inp.from})`, xml: inp.xml }, 'dir', problems)]++;
    t.comment(`pools ${JSON.stringify(p)}, volumes ${JSON.stringify(v)}`);
    t.ok(p.fixed + v.fixed > PER_SEED / 20, `a fair share are accepted (${p.fixed + v.fixed} of ${pools.length + vols.length}): the property reaches past the parser`);
    t.equal(problems.length, 0, `every accepted document is a fixed point${problems.length ? `:\n${problems.slice(0, 8).join('\n')}` : ''}`);
  });
}
