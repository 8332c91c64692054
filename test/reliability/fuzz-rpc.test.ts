// JSON-RPC fuzzing against ONE real `storage-agent serve` process (temp home): junk lines,
// truncated JSON, wrong member types, missing members, unknown methods, the real methods with junk
// params, batches of junk, deep nesting, unicode, lines over and just under the 8 MiB limit.
// Properties, checked against an oracle written from the JSON-RPC 2.0 spec (not from the
// server's code): every line with an id, or unparsable, gets exactly one response line with the
// right code; notifications get none; stdout carries nothing but JSON; the process answers a
// liveness call after every batch; its memory stays bounded. Mutating methods are only ever aimed
// at pools in the temp dir: pool refs are the throwaway pool `fuzzpool`, unknown names or junk,
// and pools the fuzz defines are all named `fzdef-*` with their target in the temp dir, and no
// ref can name them.
import t, { type Test } from 'tap';
import fc from 'fast-check';
import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv as AjvType } from 'ajv';
import { REPO, tempDir } from '../helpers/paths.js';
import { contractsAjv } from '../../runner/contracts/validate.js';
import { MAX_LINE_BYTES } from '../../runner/rpc/line-reader.js';
import { RawAgent, SPEC_CODES, diffSnapshots, snapshot, type Msg } from './fuzz-lib.js';
import { recordFigure, SOAK } from './figures.js';
import { seedsFor } from '../helpers/seeds.js';

const SUITE = 'fuzz-rpc';
const SCALE = SOAK ? 20 : 1;
const BATCHES = 60 * SCALE;
const HUGE_OVER = SOAK ? 20 : 2;
const HUGE_UNDER = SOAK ? 100 : 5;
// npm test: the fixed (and regression) seeds; the soak: a fresh one (test/helpers/seeds.ts).
const PLAN = seedsFor(SUITE);

const METHODS = readdirSync(join(REPO, 'contracts', 'methods')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort();
const METHOD_SET = new Set(METHODS);
const MUTATING = new Set(['pool.define', 'pool.undefine', 'pool.build', 'pool.delete', 'pool.start', 'pool.stop', 'pool.setAutostart', 'vol.create', 'vol.copy', 'vol.snapshot', 'vol.resize', 'vol.delete', 'vol.wipe']);

// An independent ajv over the same contracts: a request whose params it refuses must get -32602.
const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: new (o: object) => AjvType };
const ajv = contractsAjv(Ajv);
const paramsValid = (method: string, params: unknown): boolean => {
  const v = ajv.getSchema(`methods/${method}.json#/properties/params`);
  return v ? Boolean(v(params)) : false;
};

// ---------------------------------------------------------------------------------------------
// Generators. Ids are placeholders filled with unique values when a batch is sent.

const ID_UNIQUE = '\u0000id-unique';
const ID_NUM = '\u0000id-num';
const ID_FLOAT = '\u0000id-float';
const ID_NEG = '\u0000id-neg';
const ID_UNICODE = '\u0000id-unicode';
const ID_INF = '\u0000id-inf'; // written as the raw number 1e400 (JSON.parse: Infinity, not a valid id)

const ABSENT = Symbol('absent');
const MIB = 1024 * 1024;

const junkString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\t', '..', '.', '/', '-', '--help', '-rf', ';', '$(touch X)', '`id`', "'", '"', '\\', '\ud800', '\udfff', 'a\u0000b', 'a\nb', '\u202eevil', '👨‍👩‍👧', 'e\u0301', '%s%n', '{}', 'null', 'constructor', '__proto__', 'toString', 'hasOwnProperty')
);
const junkNumber = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(-1, -0, 0.5, 2 ** 53, 2 ** 64, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2));
const junkScalar = fc.oneof(junkString, junkNumber, fc.boolean(), fc.constant(null));
const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: junkScalar },
  { weight: 1, arbitrary: fc.array(junkScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(junkString, junkScalar, { maxKeys: 4 }) }
);

/** Pool refs that can reach only the throwaway pool, unknown pools, or nothing. */
const poolRef = (readOnly: boolean) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constant('fuzzpool') },
    { weight: 2, arbitrary: fc.constantFrom('nopool', 'fuzzpool/..', '../fuzzpool', 'fuzzpool\u0000', 'FUZZPOOL', ' fuzzpool', '-fuzzpool') },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: junkString.filter((s) => !s.startsWith('fzdef') && s !== 'default') },
    { weight: readOnly ? 2 : 0, arbitrary: fc.constant('default') }
  );
const volName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a.img', 'b.qcow2', 'c', 'd.raw') },
  { weight: 3, arbitrary: junkString }
);
/** Paths for {path} refs: in the pools, outside them, junk. None can name a pool outside the temp dir. */
const volPath = (root: string) =>
  fc.oneof(
    fc.constantFrom(`${root}/fuzzpool/a.img`, `${root}/fuzzpool/../fuzzpool/a.img`, `${root}/fuzzpool/../canary`, `${root}/canary`, '/etc/passwd', '/dev/null', '/', '/tmp/../etc/shadow', 'relative/path', ''),
    junkString
  );
const volumeRef = (root: string, readOnly: boolean) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ pool: poolRef(readOnly), vol: volName }) },
    { weight: 2, arbitrary: fc.record({ path: volPath(root) }) },
    { weight: 1, arbitrary: fc.record({ key: fc.oneof(volPath(root), junkString) }) },
    { weight: 1, arbitrary: junkValue },
    { weight: 1, arbitrary: fc.record({ pool: poolRef(readOnly), vol: volName, path: volPath(root) }) }
  );
/** Sizes: small real ones (never more than 8 MiB is written), or junk that must be refused. */
const size = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 8 * MIB }) },
  { weight: 2, arbitrary: fc.constantFrom(-1, 0.5, 2 ** 53, 2 ** 64, 1e308, '10G', '1M', null, true, [], {}) }
);
const poolXml = (root: string) =>
  fc.oneof(
    fc.tuple(fc.constantFrom('dir', 'fs', 'logical', 'bogus', ''), fc.string({ maxLength: 12 }), fc.constantFrom(`${root}/defs/x`, 'relative', '', `${root}/defs/&amp;`)).map(
      ([type, n, path]) => `<pool type='${type}'><name>fzdef-${n.replace(/[<&]/g, '')}</name><target><path>${path}</path></target></pool>`
    ),
    fc.constantFrom('<pool/>', '<pool', '', '<!DOCTYPE x [<!ENTITY a "b">]><pool type="dir"><name>&a;</name></pool>', '<volume/>', 'not xml'),
    junkString
  );
const volXml = fc.oneof(
  fc.tuple(volName, size, fc.constantFrom('', 'b', 'KiB', 'M', 'EB', 'zz', '-1'), fc.constantFrom('raw', 'qcow2', 'bogus')).map(
    ([n, cap, unit, fmt]) => `<volume><name>${String(n).replace(/[<&]/g, '')}</name><capacity unit='${unit}'>${String(cap)}</capacity><target><format type='${fmt}'/></target></volume>`
  ),
  fc.constantFrom('<volume/>', '<volume><name>x</name></volume>', '<pool/>', '<volume><name>../x</name><capacity>1</capacity></volume>'),
  junkString
);

/** The params schema of a method (contracts/methods/M.json), its oneOf branches flattened. */
function paramBranches(method: string): Array<{ required: string[]; properties: string[] }> {
  const j = JSON.parse(readFileSync(join(REPO, 'contracts', 'methods', `${method}.json`), 'utf8')) as { properties: { params: Record<string, unknown> } };
  const p = j.properties.params as { oneOf?: object[]; $ref?: string; required?: string[]; properties?: object };
  if (p.$ref?.endsWith('VolumeRef')) return [{ required: ['pool', 'vol'], properties: ['pool', 'vol'] }, { required: ['path'], properties: ['path'] }, { required: ['key'], properties: ['key'] }];
  return (p.oneOf ?? [p]).map((b) => {
    const br = b as { required?: string[]; properties?: object };
    return { required: br.required ?? [], properties: Object.keys(br.properties ?? {}) };
  });
}

/**
 * Params for a real method: mostly well-typed (every required field, some optional ones, values
 * of the right type but hostile content), sometimes with one field made junk, sometimes junk
 * throughout with extra fields.
 */
function methodParams(method: string, root: string): fc.Arbitrary<unknown> {
  const ro = !MUTATING.has(method);
  const poolName = method.startsWith('pool.') ? fc.oneof(fc.string({ maxLength: 10 }).map((s) => `fzdef-${s}`), junkString.filter((s) => !s.startsWith('fzdef') && s !== 'default' && s !== 'fuzzpool')) : volName;
  const typedRef = (readOnly: boolean) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ pool: poolRef(readOnly), vol: volName }) },
      { weight: 2, arbitrary: fc.record({ path: volPath(root) }) },
      { weight: 1, arbitrary: fc.record({ key: fc.oneof(volPath(root), junkString) }) }
    );
  const smallSize = fc.integer({ min: 0, max: 8 * MIB });
  const typed: Record<string, fc.Arbitrary<unknown>> = {
    pool: method === 'pool.define' ? junkString.filter((s) => !s.startsWith('fzdef') && s !== 'default' && s !== 'fuzzpool') : poolRef(ro),
    name: poolName,
    vol: volName,
    volume: typedRef(ro),
    from: typedRef(true),
    capacity: smallSize,
    allocation: smallSize,
    shrink: fc.boolean(),
    format: fc.constantFrom('raw', 'qcow2', 'vmdk', 'qed', 'vdi', 'iso', 'dir', 'bogus', '-O'),
    algorithm: fc.constantFrom('zero', 'random'),
    dryRun: fc.boolean(),
    overwrite: fc.boolean(),
    inactive: fc.boolean(),
    active: fc.boolean(),
    refresh: fc.boolean(),
    autostart: fc.boolean(),
    type: fc.constantFrom('dir', 'fs', 'netfs', 'logical', 'disk', 'zfs', 'iscsi', 'iscsi-direct', 'rbd', 'scsi', 'mpath'),
    uuid: fc.uuid(),
    path: volPath(root),
    key: fc.oneof(volPath(root), junkString),
    host: fc.constantFrom('localhost', '-oProxyCommand=x', 'a;b'),
    device: fc.constantFrom('/dev/null', '-x', 'relative', `${root}/canary`),
    requestId: fc.oneof(fc.string({ maxLength: 8 }), fc.integer()),
    xml: method === 'pool.define' ? poolXml(root) : volXml,
    target: fc.record({ path: fc.constantFrom(`${root}/defs/t`, `${root}/defs/../defs/u`, `${root}/defs/v/`, 'relative', '/') }),
    source: fc.oneof(
      fc.constant({}),
      fc.record({ devices: fc.array(fc.record({ path: fc.constantFrom('/dev/null', `${root}/canary`, '-rf') }), { maxLength: 2 }) }),
      fc.record({ name: fc.constantFrom('vg', '-vg', 'a/b') }),
      fc.record({ dir: fc.constantFrom('/export', 'rel') })
    ),
    backingVol: fc.oneof(volName, volPath(root))
  };
  const junkFields: Record<string, fc.Arbitrary<unknown>> = Object.fromEntries(Object.keys(typed).map((k) => [k, fc.oneof(typed[k] as fc.Arbitrary<unknown>, junkValue)]));
  // pool.define only ever writes a definition; its targets stay in the temp dir anyway.
  if (method === 'pool.define') junkFields['target'] = fc.oneof(typed['target'] as fc.Arbitrary<unknown>, junkValue.filter((v) => !(isObject(v) && 'path' in v)));
  const branches = paramBranches(method);
  const allKeys = Object.keys(typed);
  const pick = (src: Record<string, fc.Arbitrary<unknown>>, keys: string[]) => fc.record(Object.fromEntries(keys.map((k) => [k, src[k] ?? junkValue])));

  const wellTyped = fc.constantFrom(...branches).chain((b) =>
    fc.subarray(b.properties.filter((k) => !b.required.includes(k))).chain((opt) => pick(typed, [...b.required, ...opt]))
  );
  const oneJunk = fc.tuple(wellTyped, junkValue, fc.nat()).map(([p, j, n]) => {
    const o = { ...(p as Record<string, unknown>) };
    const ks = Object.keys(o);
    if (ks.length) o[ks[n % ks.length] as string] = j;
    return o;
  });
  const junky = fc.tuple(fc.subarray(allKeys, { maxLength: 5 }), fc.dictionary(junkString.filter((k) => !allKeys.includes(k)), junkScalar, { maxKeys: 2 })).chain(([ks, extra]) =>
    pick(junkFields, ks).map((rec) => ({ ...rec, ...extra }))
  );
  return fc.oneof({ weight: 10, arbitrary: wellTyped }, { weight: 2, arbitrary: oneJunk }, { weight: 2, arbitrary: junky });
}

const idArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(ID_UNIQUE, ID_NUM) },
  { weight: 1, arbitrary: fc.constantFrom(ID_FLOAT, ID_NEG, ID_UNICODE) },
  { weight: 2, arbitrary: fc.constant(ABSENT) }, // a notification
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(ID_INF, true, false, [], {}, [1], { a: 1 }) }
);
const jsonrpcArb = fc.oneof({ weight: 8, arbitrary: fc.constant<unknown>('2.0') }, { weight: 2, arbitrary: fc.constantFrom<unknown>(ABSENT, '1.0', '2', 2, 2.0, null, '2.0 ', ['2.0'], {}) });

function requestArb(root: string): fc.Arbitrary<unknown> {
  const realMethod = fc.constantFrom(...METHODS).chain((m) =>
    fc.tuple(fc.constant(m), fc.oneof({ weight: 8, arbitrary: methodParams(m, root) }, { weight: 1, arbitrary: junkValue }, { weight: 1, arbitrary: fc.constant<unknown>(ABSENT) }))
  );
  const otherMethod = fc.tuple(
    fc.oneof(junkString, fc.constantFrom('pool.explode', 'Pool.List', 'pool.list ', 'agent.', '.version', 'rpc.discover', 'agent.cancel.x', '__proto__', 'constructor', 'x'.repeat(5000))),
    fc.oneof(junkValue, fc.constant<unknown>(ABSENT))
  );
  const badMethod = fc.tuple(fc.constantFrom<unknown>(ABSENT, null, 5, true, ['pool.list'], { m: 1 }, ''), fc.oneof(junkValue, fc.constant<unknown>(ABSENT)));
  return fc
    .record({
      jsonrpc: jsonrpcArb,
      id: idArb,
      mp: fc.oneof({ weight: 7, arbitrary: realMethod }, { weight: 2, arbitrary: otherMethod }, { weight: 1, arbitrary: badMethod }),
      order: fc.boolean()
    })
    .map(({ jsonrpc, id, mp, order }) => {
      const o: Record<string, unknown> = {};
      const put = (k: string, v: unknown) => {
        if (v !== ABSENT) o[k] = v;
      };
      if (order) {
        put('jsonrpc', jsonrpc);
        put('id', id);
      }
      put('method', mp[0]);
      put('params', mp[1]);
      if (!order) {
        put('id', id);
        put('jsonrpc', jsonrpc);
      }
      return o;
    });
}

/** One input line (text without a line feed), before ids are filled in. */
function lineArb(root: string): fc.Arbitrary<string> {
  const req = requestArb(root);
  const ser = (v: unknown) => JSON.stringify(v);
  return fc.oneof(
    { weight: 10, arbitrary: req.map(ser) },
    { weight: 2, arbitrary: fc.tuple(req.map(ser), fc.nat()).map(([s, n]) => s.slice(0, n % Math.max(1, s.length))) }, // truncated
    { weight: 2, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: req }, { weight: 1, arbitrary: junkValue }), { minLength: 0, maxLength: 6 }).map(ser) }, // batches
    { weight: 2, arbitrary: fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('{', '[1,', 'nul', '"abc', '{"jsonrpc":"2.0",}', "{'jsonrpc':'2.0'}", 'NaN', '1e400', '{"a":1}{"b":2}', '\u00a0', '\u2028', '\ufeff{}', ' ', '\t', '\r', '[]', '[[]]', '[{}]', '{}', 'null', 'true', '"x"', '0')) }, // not JSON or not a request
    { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('[', '{"a":'), req.map(ser)).map(([n, open, r]) => deep(n, open, r)) }, // deep nesting
    { weight: 1, arbitrary: fc.jsonValue().map(ser) }
  );
}

function deep(n: number, open: string, req: string): string {
  if (open === '[') return `${'['.repeat(n)}${']'.repeat(n)}`;
  // A request whose params hold a deeply nested object.
  const inner = `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  return req.startsWith('{') && req.endsWith('}') && req.length > 2 ? `${req.slice(0, -1)},"params":${inner}}` : inner;
}

// ---------------------------------------------------------------------------------------------
// The oracle (JSON-RPC 2.0): what each line must get.

interface Exp {
  id: unknown;
  /** Allowed error numbers, or 'call': a real method call (result, or an error with a spec code). */
  codes: number[] | 'call';
  method?: string;
  params?: unknown;
  line: string;
}
type LineExp = { kind: 'none' } | { kind: 'one'; exp: Exp } | { kind: 'batch'; exps: Exp[] };

const validId = (v: unknown) => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function expectElement(v: unknown, line: string): Exp | null {
  if (!isObject(v)) return { id: null, codes: [-32600], line };
  const hasId = Object.prototype.hasOwnProperty.call(v, 'id');
  if (hasId && !validId(v['id'])) return { id: null, codes: [-32600], line };
  const id = hasId ? v['id'] : null;
  if (v['jsonrpc'] !== '2.0') return { id, codes: [-32600], line };
  if (typeof v['method'] !== 'string') return { id, codes: [-32600], line };
  const p = v['params'];
  // params must be structured (an object or an array): anything else is not a valid request.
  if (p !== undefined && (p === null || typeof p !== 'object')) return { id, codes: [-32600, -32602], line };
  if (!hasId) return null; // a notification: never answered
  const method = v['method'];
  if (method === '') return { id, codes: [-32600, -32601], line };
  if (!METHOD_SET.has(method)) return { id, codes: [-32601], line };
  if (Array.isArray(p)) return { id, codes: [-32602], line }; // positional params are not offered
  return { id, codes: 'call', method, params: p ?? {}, line };
}

/** JSON whitespace only (what JSON.parse skips): the server may ignore such a line. */
const blank = (s: string) => /^[ \t\r]*$/.test(s);

function expectLine(text: string): LineExp {
  if (Buffer.byteLength(text) > MAX_LINE_BYTES) return { kind: 'one', exp: { id: null, codes: [-32600], line: text.slice(0, 100) } };
  if (blank(text)) return { kind: 'none' };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { kind: 'one', exp: { id: null, codes: [-32700], line: text } };
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return { kind: 'one', exp: { id: null, codes: [-32600], line: text } };
    const exps = v.map((el) => expectElement(el, text)).filter((e): e is Exp => e !== null);
    return exps.length ? { kind: 'batch', exps } : { kind: 'none' };
  }
  const e = expectElement(v, text);
  return e ? { kind: 'one', exp: e } : { kind: 'none' };
}

// ---------------------------------------------------------------------------------------------
// Checking responses.

const idKey = (id: unknown) => `${typeof id}:${JSON.stringify(id)}`;

/** Answers seen, by outcome ('result' or data.code): to show the fuzz reached the methods. */
const tally = new Map<string, number>();
let counting = true;

function checkResponse(m: Msg, exp: Exp, problems: string[]): void {
  const outcome = m.error ? String(m.error.data?.code ?? m.error.code) : 'result';
  if (counting) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  const where = `line ${JSON.stringify(exp.line.slice(0, 160))}`;
  if (m.jsonrpc !== '2.0') problems.push(`${where}: response without jsonrpc 2.0: ${JSON.stringify(m).slice(0, 200)}`);
  const hasResult = Object.prototype.hasOwnProperty.call(m, 'result');
  const hasError = Object.prototype.hasOwnProperty.call(m, 'error');
  if (hasResult === hasError) {
    problems.push(`${where}: response must have exactly one of result/error`);
    return;
  }
  if (hasResult) {
    if (exp.codes !== 'call') problems.push(`${where}: expected error ${String(exp.codes)}, got a result`);
    else if (!paramsValid(exp.method as string, exp.params)) problems.push(`${where}: params the contract refuses were accepted (${exp.method})`);
    return;
  }
  const e = m.error as NonNullable<Msg['error']>;
  const dataCode = e.data?.code;
  if (typeof e.code !== 'number' || !Number.isInteger(e.code)) problems.push(`${where}: error code not an integer`);
  if (typeof e.message !== 'string') problems.push(`${where}: error message not a string`);
  if (JSON.stringify(e).length > 64 * 1024) problems.push(`${where}: error of ${JSON.stringify(e).length} bytes (messages must be bounded)`);
  if (typeof dataCode !== 'string' || !(dataCode in SPEC_CODES)) {
    problems.push(`${where}: data.code ${String(dataCode)} is not a spec code`);
    return;
  }
  if (dataCode === 'INTERNAL' || dataCode === 'CONTRACT_VIOLATION') problems.push(`${where}: ${dataCode}: ${e.message.slice(0, 300)}`);
  if (exp.codes === 'call') {
    if (e.code !== SPEC_CODES[dataCode]) problems.push(`${where}: error ${e.code} does not match data.code ${dataCode}`);
    if (!paramsValid(exp.method as string, exp.params) && (e.code !== -32602 || dataCode !== 'INVALID_ARGUMENT')) {
      problems.push(`${where}: params the contract refuses got ${e.code}/${dataCode}, not -32602/INVALID_ARGUMENT`);
    }
    return;
  }
  if (!exp.codes.includes(e.code)) problems.push(`${where}: expected ${exp.codes.join(' or ')}, got ${e.code} (${dataCode}: ${e.message.slice(0, 200)})`);
  if ((e.code === -32700 || e.code === -32600 || e.code === -32602) && dataCode !== 'INVALID_ARGUMENT') problems.push(`${where}: ${e.code} with data.code ${dataCode}`);
}

/** Fill the id placeholders with values unique in the run. */
let counter = 0;
function materialize(text: string): string {
  return text
    .replaceAll(JSON.stringify(ID_UNIQUE), () => JSON.stringify(`u${++counter}`))
    .replaceAll(JSON.stringify(ID_NUM), () => String(1_000_000 + ++counter))
    .replaceAll(JSON.stringify(ID_FLOAT), () => String(++counter + 0.25))
    .replaceAll(JSON.stringify(ID_NEG), () => String(-1 - ++counter))
    .replaceAll(JSON.stringify(ID_UNICODE), () => JSON.stringify(`ид-${++counter}-🙂\u202e`))
    .replaceAll(JSON.stringify(ID_INF), '1e400')
    .replace(/\n/g, ' ');
}

interface BatchOutcome {
  inputs: number;
  problems: string[];
}

/**
 * Send lines, then a liveness call; wait for every answer the oracle expects and check them all,
 * including that nothing else was answered.
 */
async function exchange(agent: RawAgent, rawLines: string[], livenessMs: number): Promise<BatchOutcome> {
  const problems: string[] = [];
  const lines: string[] = [];
  const single = new Map<string, Exp>();
  const nullSingles: Exp[] = [];
  const batchExps: Exp[][] = [];
  for (const raw of rawLines) {
    const text = Buffer.from(materialize(raw), 'utf8').toString('utf8');
    const e = expectLine(text);
    if (e.kind === 'one' && e.exp.id !== null && single.has(idKey(e.exp.id))) continue; // a repeated id from a junk line: skip it
    lines.push(text);
    if (e.kind === 'one') {
      if (e.exp.id === null) nullSingles.push(e.exp);
      else single.set(idKey(e.exp.id), e.exp);
    } else if (e.kind === 'batch') batchExps.push(e.exps);
  }
  for (const l of lines) await agent.send(l);
  const alive = await agent.call('agent.version', {}, livenessMs);
  if (!alive || !alive.result) problems.push(`no liveness answer within ${livenessMs} ms after a batch (exit ${String(agent.exitCode)}); stderr: ${agent.stderr.slice(-500)}`);

  const done = () => {
    let gotSingle = 0;
    let gotNull = 0;
    for (const m of agent.inbox) {
      if (m.id === null || m.id === undefined) gotNull++;
      else if (single.has(idKey(m.id))) gotSingle++;
    }
    return gotSingle >= single.size && gotNull >= nullSingles.length && agent.batches.length >= batchExps.length;
  };
  await agent.until(done, 60_000);
  await new Promise((r) => setTimeout(r, 20));

  const inbox = agent.inbox.splice(0);
  const batches = agent.batches.splice(0);
  const seen = new Set<string>();
  const nulls: Msg[] = [];
  for (const m of inbox) {
    if (m.id === null || m.id === undefined) {
      nulls.push(m);
      continue;
    }
    const k = idKey(m.id);
    const exp = single.get(k);
    if (!exp) problems.push(`unexpected response id ${JSON.stringify(m.id)}: ${JSON.stringify(m).slice(0, 300)}`);
    else if (seen.has(k)) problems.push(`two responses for id ${JSON.stringify(m.id)}`);
    else {
      seen.add(k);
      checkResponse(m, exp, problems);
    }
  }
  for (const [k, exp] of single) if (!seen.has(k)) problems.push(`no response for ${JSON.stringify(exp.line.slice(0, 200))}`);
  matchNulls(nulls, nullSingles, problems);

  // Batches: matched by their members' ids.
  const bkey = (ids: unknown[]) => ids.map((i) => (i === null || i === undefined ? 'null' : idKey(i))).sort().join(',');
  const pending = batchExps.map((exps) => ({ key: bkey(exps.map((e) => e.id)), exps }));
  // Batches whose members all have null ids share a key: match answers to batches as a whole,
  // so each answer goes to a batch whose expectations it fits.
  const nullsOf = (arr: Msg[]) => arr.filter((x) => x.id === null || x.id === undefined);
  counting = false;
  const owner = bipartite(batches, pending, (arr, p) => p.key === bkey(arr.map((m) => m.id)) && matchNulls(nullsOf(arr), p.exps.filter((e) => e.id === null), []));
  counting = true;
  const used = new Set<number>();
  const pairs: Array<[Msg[], { exps: Exp[] }]> = [];
  for (const [j, i] of owner.entries()) if (i >= 0) { pairs.push([batches[i]!, pending[j]!]); used.add(i); }
  const left = pending.filter((_p, j) => owner[j]! < 0);
  for (const [i, arr] of batches.entries()) {
    if (used.has(i)) continue;
    // No batch it fits: pair it with one of the same ids to say what is wrong.
    const k = left.findIndex((p) => p.key === bkey(arr.map((m) => m.id)));
    if (k === -1) problems.push(`unexpected batch answer ${JSON.stringify(arr).slice(0, 300)}`);
    else pairs.push([arr, left.splice(k, 1)[0]!]);
  }
  for (const [arr, { exps }] of pairs) {
    const byId = new Map(exps.filter((e) => e.id !== null).map((e) => [idKey(e.id), e]));
    for (const m of arr.filter((x) => x.id !== null && x.id !== undefined)) checkResponse(m, byId.get(idKey(m.id)) as Exp, problems);
    matchNulls(nullsOf(arr), exps.filter((e) => e.id === null), problems);
  }
  pending.splice(0, pending.length, ...left);
  for (const p of pending) problems.push(`no batch answer for ${JSON.stringify(p.exps[0]?.line.slice(0, 200))}`);
  return { inputs: lines.length, problems };
}

/** Can this answer be the one this expectation wants? */
function compatible(m: Msg, w: Exp): boolean {
  const e = m.error;
  if (w.codes === 'call') {
    if (!paramsValid(w.method as string, w.params)) return e !== undefined && e.code === -32602;
    return !e || (typeof e.data?.code === 'string' && e.code === SPEC_CODES[e.data.code]);
  }
  return e !== undefined && w.codes.includes(e.code);
}

/** Maximum matching (Kuhn): owner[j] is the index of the `got` matched to want[j], or -1. */
function bipartite<G, W>(got: readonly G[], want: readonly W[], compat: (g: G, w: W) => boolean): number[] {
  const owner: number[] = want.map(() => -1);
  const tryAssign = (i: number, seen: boolean[]): boolean => {
    for (let j = 0; j < want.length; j++) {
      if (seen[j] || !compat(got[i]!, want[j]!)) continue;
      seen[j] = true;
      if (owner[j] === -1 || tryAssign(owner[j]!, seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < got.length; i++) tryAssign(i, want.map(() => false));
  return owner;
}

/** Answers without an id: exactly as many as expected, matched one to one. True when all matched. */
function matchNulls(got: Msg[], want: Exp[], problems: string[]): boolean {
  if (got.length !== want.length) {
    problems.push(`${got.length} answers with a null id, expected ${want.length}: got ${JSON.stringify(got.map((m) => m.error?.code ?? 'result'))} for ${JSON.stringify(want.map((w) => w.line.slice(0, 80)))}`);
  }
  const owner = bipartite(got, want, compatible);
  const matched = new Set(owner.filter((i) => i >= 0));
  for (let j = 0; j < want.length; j++) if (owner[j]! >= 0) checkResponse(got[owner[j]!]!, want[j]!, problems);
  for (let i = 0; i < got.length; i++) {
    if (!matched.has(i)) problems.push(`null-id answer ${JSON.stringify(got[i]).slice(0, 300)} matches no expected answer (${JSON.stringify(want.map((w) => [w.codes, w.line.slice(0, 80)]))})`);
  }
  return got.length === want.length && matched.size === got.length;
}

// ---------------------------------------------------------------------------------------------

if (process.env['FUZZ_SAMPLE']) {
  const m = process.env['FUZZ_SAMPLE'];
  for (const p of fc.sample(methodParams(m, '/tmp/x'), { numRuns: 30, seed: PLAN.seeds[0] })) process.stdout.write(`${paramsValid(m, p) ? 'VALID  ' : 'invalid'} ${JSON.stringify(p).slice(0, 200)}\n`);
  process.exit(0);
}

async function fuzzServe(t: Test, seed: number): Promise<void> {
  const root = tempDir(t, 'sa-fuzz-rpc-');
  const home = join(root, 'home');
  mkdirSync(join(root, 'defs'), { recursive: true });
  mkdirSync(join(root, 'cwd'));
  writeFileSync(join(root, 'canary'), 'canary\n');
  const agent = new RawAgent(home, { cwd: join(root, 'cwd') });
  t.teardown(() => {
    agent.child.kill('SIGKILL');
  });
  t.comment(`seed ${seed} (FUZZ_SEED=${seed} to replay)`);

  // The throwaway pool every mutating call may reach.
  // Notifications of earlier batches may still hold its lock (CONFLICT): retry a little.
  const step = async (method: string, params: object, fine: string[]) => {
    let c = '';
    for (let i = 0; i < 50; i++) {
      c = await agent.code(method, params);
      if (fine.includes(c)) return;
      if (c !== 'CONFLICT' && c !== 'POOL_BUSY') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`fuzzpool ${method}: ${c}`);
  };
  const ensurePool = async () => {
    await step('pool.define', { name: 'fuzzpool', type: 'dir', uuid: '6f6d6c2c-7a5a-4b9e-9a0e-0f1f2f3f4f5f', target: { path: join(root, 'fuzzpool') } }, ['ok', 'POOL_EXISTS']);
    await step('pool.build', { pool: 'fuzzpool' }, ['ok', 'POOL_ACTIVE', 'ALREADY_BUILT']);
    await step('pool.start', { pool: 'fuzzpool' }, ['ok', 'POOL_ACTIVE']);
  };
  await ensurePool();
  await agent.ok('vol.create', { pool: 'fuzzpool', name: 'a.img', capacity: MIB });
  const canaryBefore = snapshot(root, [join(root, 'home'), join(root, 'fuzzpool'), join(root, 'defs')]);

  const rss0 = agent.rssKiB();
  let rssMax = rss0;
  let inputs = 0;
  const problems: string[] = [];
  const lines = lineArb(root);

  // 1. Batches of generated lines.
  const batches = fc.sample(fc.array(lines, { minLength: 1, maxLength: 25 }), { numRuns: BATCHES, seed });
  for (const [i, batch] of batches.entries()) {
    if (process.env['FUZZ_TRACE']) writeFileSync(process.env['FUZZ_TRACE'], `${JSON.stringify(batch)}\n`, { flag: 'a' });
    await ensurePool();
    const t0 = Date.now();
    const r = await exchange(agent, batch, 30_000);
    if (process.env['FUZZ_TRACE']) writeFileSync(process.env['FUZZ_TRACE'], `# batch ${i}: ${Date.now() - t0} ms, ${r.problems.length} problems\n`, { flag: 'a' });
    inputs += r.inputs;
    for (const p of r.problems) problems.push(`batch ${i}: ${p}`);
    rssMax = Math.max(rssMax, agent.rssKiB());
    if (agent.exitCode !== undefined) {
      problems.push(`serve exited with ${String(agent.exitCode)} after batch ${i}: ${agent.stderr.slice(-2000)}`);
      break;
    }
  }
  const fuzzInputs = inputs;
  const rssBatches = agent.rssKiB();

  // 2. Lines over the limit (refused whole), exactly at it, and many just under it.
  const U = JSON.stringify(ID_UNIQUE);
  const req = (pad: number) => `{"jsonrpc":"2.0","id":${U},"method":"pool.get","params":{"name":"${'n'.repeat(pad)}"}}`;
  const base = Buffer.byteLength(req(0)) - U.length + 12;
  const huge: string[] = [];
  for (let i = 0; i < HUGE_OVER; i++) huge.push(req(MAX_LINE_BYTES - base + 64 + i * 997));
  huge.push(`{"a":"${'x'.repeat(MAX_LINE_BYTES - 8)}"}`); // exactly at the limit: parsed (not a request)
  huge.push('x'.repeat(MAX_LINE_BYTES)); // exactly at the limit: a parse error
  huge.push('x'.repeat(MAX_LINE_BYTES + 1)); // one byte over: refused whole
  for (let i = 0; i < HUGE_UNDER; i++) {
    const kind = i % 4;
    const pad = MAX_LINE_BYTES - base - 64 - i * 131;
    if (kind === 0) huge.push(req(pad));
    else if (kind === 1) huge.push(`{"jsonrpc":"2.0","id":${U},"method":"agent.version","params":{"${'k'.repeat(pad)}":1}}`);
    else if (kind === 2) huge.push(`[${Array.from({ length: 4 }, () => `{"jsonrpc":"2.0","id":${U},"method":"vol.get","params":{"pool":"fuzzpool","vol":"${'v'.repeat(Math.floor(pad / 4) - 120)}"}}`).join(',')}]`);
    else huge.push(`{"jsonrpc":"2.0","id":${U},"method":"pool.define","params":{"xml":"<pool type='dir'>${'<a/>'.repeat(Math.floor(pad / 4) - 40)}"}}`.slice(0, pad));
  }
  for (let i = 0; i < huge.length; i += 2) {
    const r = await exchange(agent, huge.slice(i, i + 2), 60_000);
    inputs += r.inputs;
    for (const p of r.problems) problems.push(`huge lines ${i}: ${p}`);
    rssMax = Math.max(rssMax, agent.rssKiB());
  }
  const hugeInputs = inputs - fuzzInputs;

  // Split writes: a request cut into many small chunks, and several requests in one write.
  const parts = `{"jsonrpc":"2.0","id":"split-1","method":"agent.version"}\n{"jsonrpc":"2.0","id":"split-2","method":"agent.version"}\n`;
  for (const ch of parts.match(/.{1,3}/gs) ?? []) agent.child.stdin.write(ch);
  const s1 = await agent.response('split-1', 10_000);
  const s2 = await agent.response('split-2', 10_000);
  t.ok(s1?.result && s2?.result, 'requests split across many writes are answered');

  const rss1 = agent.rssKiB();
  t.same(agent.noise, [], 'nothing but JSON lines on stdout');
  t.equal(agent.exitCode, undefined, 'serve is still running');
  // The batches show a leak (per-request state kept); the huge lines only raise the heap's high-water mark.
  const batchGrowthMiB = (rssBatches - rss0) / 1024;
  const growthMiB = (rss1 - rss0) / 1024;
  t.ok(batchGrowthMiB < 100, `no leak over the batches: VmRSS ${Math.round(rss0 / 1024)} -> ${Math.round(rssBatches / 1024)} MiB`);
  t.ok(growthMiB < 200, `memory bounded: VmRSS ${Math.round(rss0 / 1024)} -> ${Math.round(rss1 / 1024)} MiB after the 8 MiB lines (max ${Math.round(rssMax / 1024)} MiB)`);
  t.same(diffSnapshots(canaryBefore, snapshot(root, [join(root, 'home'), join(root, 'fuzzpool'), join(root, 'defs')])), [], 'nothing outside the pools in the temp dir changed');
  t.same(readdirSync(join(root, 'cwd')), [], 'no file created in the working directory (no name ran as a command)');

  if (process.env['FUZZ_PROBLEMS']) writeFileSync(process.env['FUZZ_PROBLEMS'], problems.join('\n') + '\n');
  const unique = [...new Set(problems.map((p) => p.replace(/^batch \d+: |^huge lines \d+: /, '').replace(/[ud]\d+|\d{6,}/g, 'N')))];
  recordFigure({ suite: SUITE, metric: 'lines', value: fuzzInputs });
  recordFigure({ suite: SUITE, metric: 'huge_lines', value: hugeInputs });
  recordFigure({ suite: SUITE, metric: 'batches', value: batches.length });
  recordFigure({ suite: SUITE, metric: 'failures', value: problems.length });
  recordFigure({ suite: SUITE, metric: 'answers_with_result', value: tally.get('result') ?? 0 });
  t.comment(`answers by outcome: ${JSON.stringify(Object.fromEntries([...tally].sort((a, b) => b[1] - a[1])))}`);
  recordFigure({ suite: SUITE, metric: 'rss_growth_batches_mib', value: Math.round(batchGrowthMiB) });
  recordFigure({ suite: SUITE, metric: 'rss_growth_mib', value: Math.round(growthMiB) });
  t.equal(problems.length, 0, `every line answered per JSON-RPC 2.0 (${problems.length} problems${problems.length ? `; first: ${unique.slice(0, 8).join(' | ')}` : ''})`);
  t.equal(await agent.close(), 0, 'EOF: exit 0');
}

t.comment(PLAN.describe);
for (const seed of PLAN.seeds) t.test(`JSON-RPC fuzzing on one serve process (seed ${seed})`, (t) => fuzzServe(t, seed));
