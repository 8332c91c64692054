// vol.* methods: resolve the pool and volume, lock them, run the backend's scriptlet.
import { basename, dirname, join, resolve } from 'node:path';
import type { MethodContracts, Volume, VolumeRef, BackingStore, PlanStep, Preallocation } from '../contracts/generated.js';
import type { OperationName } from '../scriptlet/api.js';
import { err, ok, type ErrorData, type Result } from '../errors.js';
import { checkEntryName } from '../exec/pool-fs.js';
import { nameProblem } from '../xml/names.js';
import { invoke } from '../scriptlet/invoke.js';
import { choose } from '../scriptlet/select.js';
import type { GoldenCall } from '../golden/types.js';
import { BACKENDS } from '../backends/index.js';
import { parseVolXml } from '../xml/vol-xml.js';
import { formatVolXml } from '../xml/vol-xml.js';
import type { PoolRecord } from '../state/pool-store.js';
import type { CallContext, Service } from './context.js';
import { fsRootOf, sourceProblem } from './pool-view.js';
import { findPool } from './pools.js';
import { makingNames, poolKey, sweepPartials, volKey } from './partials.js';
import { redactArgv, withSecrets } from './secrets.js';
import { secretBytes, withSecretFile } from '../state/secret-files.js';
import { copyBytes, fileRoom } from './file-space.js';

type P<M extends keyof MethodContracts> = MethodContracts[M]['params'];
type R<M extends keyof MethodContracts> = MethodContracts[M]['result'];

function runningPool(svc: Service, ref: string): Result<PoolRecord> {
  const found = findPool(svc, ref);
  if (!found.ok) return found;
  if (found.value.state !== 'running') return err('POOL_INACTIVE', `pool ${found.value.def.name} is not running: start it first (pool.start)`);
  return found;
}

async function run<T>(svc: Service, rec: PoolRecord, op: OperationName, input: object, call?: CallContext, dryRun = false): Promise<Result<{ value: T; plan: PlanStep[]; calls: GoldenCall[]; ran: { scriptlet: string; version: string } | null }>> {
  const bad = sourceProblem(rec.def.type, rec.def.source);
  if (bad) return err('INVALID_ARGUMENT', `pool ${rec.def.name}: ${bad.message} (redefine the pool)`, { field: bad.field });
  const pool = withSecrets(svc.rt.home, rec.def);
  if (!pool.ok) return pool;
  const o = redactArgv(await invoke(svc.rt, {
    op, poolType: rec.def.type, input: { pool: pool.value, ...input }, fsRoot: fsRootOf(rec.def), dryRun,
    ...(call ? { signal: call.signal, onProgress: call.progress } : {})
  }), pool.value);
  if (!o.result.ok) return o.result;
  return ok({ value: o.result.value as T, plan: o.plan, calls: o.calls, ran: o.scriptlet && o.version ? { scriptlet: o.scriptlet, version: o.version } : null });
}

const withPoolName = (v: Volume, rec: PoolRecord): Volume => ({ ...v, pool: rec.def.name });

/**
 * A volume an operation just made or changed. Its cache entry (if any) described the file before:
 * it is dropped (it would miss anyway, its reads no longer matching; dropping saves the re-reads).
 */
function described(svc: Service, rec: PoolRecord, v: Volume): Volume {
  svc.volumes.drop(cacheKey(rec, v.name));
  return withPoolName(v, rec);
}

const cacheKey = (rec: PoolRecord, name: string) => `${rec.def.uuid}/${name}`;

/**
 * What a vol.get answer is a function of besides its file reads: the scriptlet chosen now (a tool
 * upgraded meanwhile is another scriptlet) and the run's input (the pool's definition and the name).
 */
const basisOf = (ran: { scriptlet: string; version: string }, rec: PoolRecord, name: string) => JSON.stringify([ran.scriptlet, ran.version, rec.def, name]);

async function lookupBasis(svc: Service, rec: PoolRecord, name: string): Promise<string | null> {
  const c = await choose(svc.rt, 'vol.get', rec.def.type);
  return c.ok ? basisOf({ scriptlet: c.value.scriptlet.id, version: c.value.version }, rec, name) : null;
}

/**
 * A volume by name in one pool. File pools: answered from the cache when every file read that
 * described it reads the same now (runner/service/volume-cache.ts), else by the scriptlet, whose
 * answer is then remembered with its reads.
 */
async function getIn(svc: Service, rec: PoolRecord, name: string): Promise<Result<Volume>> {
  const root = fsRootOf(rec.def);
  // A name that cannot be a file in the target ('..', 'a/b', NUL, too long) is no volume of a file pool.
  if (root && checkEntryName(name)) return err('NO_VOLUME', `no volume ${JSON.stringify(name.slice(0, 300))} in pool ${rec.def.name}`);
  const basis = root ? await lookupBasis(svc, rec, name) : null;
  if (root && basis !== null) {
    const hit = await svc.volumes.get(cacheKey(rec, name), basis, root);
    if (hit) return ok(withPoolName(hit, rec));
  }
  const r = await run<{ volume: Volume }>(svc, rec, 'vol.get', { name });
  if (!r.ok) return r;
  const vol = r.value.value.volume;
  if (root && r.value.ran) svc.volumes.put(cacheKey(rec, name), basisOf(r.value.ran, rec, name), root, r.value.calls, vol);
  return ok(withPoolName(vol, rec));
}

export interface Located {
  rec: PoolRecord;
  vol: Volume;
}

/** A volume by pool and name, by key, or by path, across running pools. */
export async function locate(svc: Service, ref: VolumeRef): Promise<Result<Located>> {
  if ('pool' in ref) {
    const rec = runningPool(svc, ref.pool);
    if (!rec.ok) return rec;
    const v = await getIn(svc, rec.value, ref.vol);
    return v.ok ? ok({ rec: rec.value, vol: v.value }) : v;
  }
  const want = 'key' in ref ? ref.key : ref.path;
  const pools = svc.store.all().filter((r) => r.state === 'running');
  // File pools: the path names the pool (its directory) and the volume (its file name).
  // The path is taken lexically ('..' resolved, '//' collapsed); one ending in '/' names a
  // directory, never a file volume.
  if (want.startsWith('/') && !want.endsWith('/')) {
    const full = resolve(want);
    const dir = dirname(full);
    for (const rec of pools) {
      const root = fsRootOf(rec.def);
      if (root && resolve(root) === dir) {
        const v = await getIn(svc, rec, basename(full));
        if (v.ok) return ok({ rec, vol: v.value });
        if (v.error.code !== 'NO_VOLUME') return v;
      }
    }
  }
  for (const rec of pools) {
    if (fsRootOf(rec.def)) continue;
    const l = await run<{ volumes: Volume[] }>(svc, rec, 'vol.list', {});
    if (!l.ok) continue;
    const hit = l.value.value.volumes.find((v) => ('key' in ref ? v.key === want : v.path === want));
    if (hit) return ok({ rec, vol: withPoolName(hit, rec) });
  }
  return err('NO_VOLUME', `no volume with ${'key' in ref ? 'key' : 'path'} ${want}`);
}

async function locked<T>(svc: Service, what: string, rec: PoolRecord, names: { write: string[]; read?: string[]; table?: boolean }, fn: () => Promise<Result<T>>): Promise<Result<T>> {
  // A change to a pool's shared table (disk: the partition table) holds the whole pool.
  const wholePool = names.table === true && BACKENDS[rec.def.type]?.sharedTable === true;
  const write = [...names.write.map((n) => volKey(rec, n)), ...(wholePool ? [poolKey(rec)] : [])];
  const lock = await svc.locks.acquire(what, write, [...(wholePool ? [] : [poolKey(rec)]), ...(names.read ?? [])]);
  if (!lock.ok) return lock;
  try {
    // The pool was found running before the lock was taken; it may have been stopped (or
    // undefined) since, by this process while the volume was looked up, or by another process.
    // Under the pool's lock it cannot change any more: look again.
    const now = svc.store.get(rec.def.name);
    if (!now || now.def.uuid !== rec.def.uuid) return err('NO_POOL', `pool ${rec.def.name} was undefined meanwhile`);
    if (now.state !== 'running') return err('POOL_INACTIVE', `pool ${rec.def.name} was stopped meanwhile: start it first (pool.start)`);
    return await fn();
  } finally {
    await lock.value();
  }
}

/**
 * A file volume described before its lock was taken, described again under it: meanwhile another
 * request (here or in another process) may have deleted it, or made a new one under its name with
 * another format or size, and the tool must be told the truth (qemu-img -f). Cheap: a cache hit
 * costs the file reads that described it. Block volumes are named by their pool's own tool and need no second look.
 */
async function fresh(svc: Service, rec: PoolRecord, vol: Volume): Promise<Result<Volume>> {
  return fsRootOf(rec.def) && vol.type !== 'block' ? getIn(svc, rec, vol.name) : ok(vol);
}

export async function list(svc: Service, params: P<'vol.list'>): Promise<Result<R<'vol.list'>>> {
  const rec = runningPool(svc, params.pool);
  if (!rec.ok) return rec;
  await sweepPartials(svc, rec.value);
  const r = await run<{ volumes: Volume[] }>(svc, rec.value, 'vol.list', {});
  return r.ok ? ok({ volumes: r.value.value.volumes.map((v) => withPoolName(v, rec.value)) }) : r;
}

export async function get(svc: Service, params: P<'vol.get'>): Promise<Result<R<'vol.get'>>> {
  const l = await locate(svc, params);
  return l.ok ? ok(l.value.vol) : l;
}

export async function dumpXml(svc: Service, params: P<'vol.dumpXml'>): Promise<Result<R<'vol.dumpXml'>>> {
  const l = await locate(svc, params.volume);
  return l.ok ? ok({ xml: formatVolXml(l.value.vol, { poolType: l.value.rec.def.type }) }) : l;
}

/** A new volume's name: the contract's pattern, and what a file name can hold (runner/xml/names.ts). */
function newName(name: string): { ok: false; error: ErrorData } | null {
  const problem = nameProblem(name);
  return problem ? err('INVALID_ARGUMENT', `volume name ${JSON.stringify(name.slice(0, 300))} ${problem}`, { field: 'name' }) : null;
}

function positive(n: number, field: string): Result<number> {
  return Number.isSafeInteger(n) && n > 0 ? ok(n) : err('INVALID_ARGUMENT', `${field} must be a positive whole number of bytes`, { field });
}

export async function create(svc: Service, call: CallContext, params: P<'vol.create'>): Promise<Result<R<'vol.create'>>> {
  const rec = runningPool(svc, params.pool);
  if (!rec.ok) return rec;
  const input: Record<string, unknown> = {};
  let encryption: 'luks' | undefined;
  if ('xml' in params) {
    const spec = parseVolXml(params.xml, { poolType: rec.value.def.type });
    if (!spec.ok) return spec;
    const s = spec.value;
    Object.assign(input, { name: s.name, capacity: s.capacity });
    if (s.allocation !== undefined) input['allocation'] = s.allocation;
    if (s.format !== undefined) input['format'] = s.format;
    if (s.backingStore !== undefined) input['backingStore'] = s.backingStore;
    if (s.extra !== undefined) input['extra'] = s.extra;
    if (s.image !== undefined) input['image'] = s.image;
    if (s.permissions !== undefined) input['permissions'] = s.permissions;
    if (s.encryption !== undefined) {
      if (s.encryption !== 'luks') return err('UNSUPPORTED', `<encryption format='${s.encryption.slice(0, 40)}'> is not offered: only luks`);
      if (s.encryptionCipher) return err('UNSUPPORTED', "<encryption> with <cipher> or <ivgen> is not offered yet (qemu-img's defaults only: aes-256-xts, plain64, sha256)");
      encryption = 'luks';
    }
  } else {
    Object.assign(input, { name: params.name, capacity: params.capacity });
    if (params.allocation !== undefined) input['allocation'] = params.allocation;
    if (params.format !== undefined) input['format'] = params.format;
    if (params.backingVol !== undefined) {
      const b = await backingFrom(svc, rec.value, params.backingVol);
      if (!b.ok) return b;
      input['backingStore'] = b.value;
    }
    if (params.image !== undefined) input['image'] = params.image;
    if (params.permissions !== undefined) input['permissions'] = params.permissions;
    if (params.encryption !== undefined) encryption = params.encryption.format;
  }
  if (encryption && !params.secret) return err('INVALID_ARGUMENT', 'a luks volume needs the passphrase: give secret {passphrase} or {keyFile}', { field: 'secret' });
  if (!encryption && params.secret) return err('INVALID_ARGUMENT', 'secret is only for an encrypted volume (<encryption format=\'luks\'>)', { field: 'secret' });
  const asked = spaceAsks(rec.value, params);
  if (!asked.ok) return asked;
  Object.assign(input, asked.value);
  const badName = newName(input['name'] as string);
  if (badName) return badName;
  // libvirt's vol-create takes <capacity>0</capacity> (vol-qcow2-zerocapacity.xml); the
  // fields form keeps to the spec: a positive size.
  if (!input['backingStore'] && !('xml' in params && input['capacity'] === 0)) {
    const c = positive(input['capacity'] as number, 'capacity');
    if (!c.ok) return c;
  }
  const pre = preallocation(params, input['capacity'] as number, input['allocation'] as number | undefined);
  if (!pre.ok) return pre;
  if (pre.value !== undefined) input['preallocate'] = pre.value;
  const name = input['name'] as string;
  const secret = params.secret ? secretBytes(params.secret) : null;
  if (secret && !secret.ok) return secret;
  return locked<R<'vol.create'>>(svc, `create ${name}`, rec.value, { write: makingNames(name), table: true }, async () => {
    const make = async (): Promise<Result<R<'vol.create'>>> => {
      const r = await run<{ volume: Volume }>(svc, rec.value, 'vol.create', input, call, params.dryRun === true);
      if (!r.ok) return r;
      return params.dryRun ? ok({ plan: r.value.plan }) : ok(described(svc, rec.value, r.value.value.volume));
    };
    const allocate = Math.min((input['allocation'] as number | undefined) ?? 0, (input['capacity'] as number | undefined) ?? 0);
    const short = await fileRoom(rec.value, allocate, `allocating ${name}`, params.overcommit);
    if (short) return short;
    if (!secret) return make();
    // The passphrase reaches qemu-img as a file only it reads, for this run only.
    return withSecretFile(svc.store.home, secret.value, async (secretFile) => {
      input['encryption'] = { format: 'luks', secretFile };
      return make();
    });
  });
}

/**
 * `preallocate` as asked, or libvirt's --prealloc-metadata flag (`preallocateMetadata`): metadata
 * when the allocation is below the capacity, falloc when it is the whole capacity (a missing
 * allocation is the whole capacity, as in libvirt).
 */
function preallocation(params: P<'vol.create'>, capacity: number, allocation: number | undefined): Result<Preallocation | undefined> {
  if (params.preallocate !== undefined && params.preallocateMetadata !== undefined) {
    return err('INVALID_ARGUMENT', 'give preallocate or preallocateMetadata, not both', { field: 'preallocate' });
  }
  if (params.preallocateMetadata === true) return ok((allocation ?? capacity) < capacity ? 'metadata' : 'falloc');
  return ok(params.preallocate);
}

/**
 * thinPool and overcommit (issue 17): a thin pool is a logical pool's own; overcommit is passed
 * on as asked. Only set ones are passed, so requests without them reach the scriptlets unchanged.
 */
function spaceAsks(rec: PoolRecord, params: { thinPool?: string; overcommit?: boolean }): Result<{ thinPool?: string; overcommit?: boolean }> {
  const out: { thinPool?: string; overcommit?: boolean } = {};
  if (params.thinPool !== undefined) {
    if (rec.def.type !== 'logical') return err('INVALID_ARGUMENT', `thinPool: pool ${rec.def.name} is of type ${rec.def.type}, and only logical pools have thin pools`, { field: 'thinPool' });
    out.thinPool = params.thinPool;
  }
  if (params.overcommit === true) out.overcommit = true;
  return ok(out);
}

/** virsh's --backing-vol: a volume of the same pool by name, else any volume by path or key. */
async function backingFrom(svc: Service, rec: PoolRecord, ref: string): Promise<Result<BackingStore>> {
  const inPool = await getIn(svc, rec, ref);
  let v: Volume;
  if (inPool.ok) v = inPool.value;
  else {
    const elsewhere = await locate(svc, ref.startsWith('/') ? { path: ref } : { key: ref });
    if (!elsewhere.ok) return err('NO_VOLUME', `backing volume ${ref} not found`);
    v = elsewhere.value.vol;
  }
  return ok({ path: v.path, format: v.type === 'block' ? 'raw' : v.format });
}

export async function copy(svc: Service, call: CallContext, params: P<'vol.copy'>): Promise<Result<R<'vol.copy'>>> {
  const badName = newName(params.name);
  if (badName) return badName;
  const rec = runningPool(svc, params.pool);
  if (!rec.ok) return rec;
  const from = await locate(svc, params.from);
  if (!from.ok) return from;
  const asked = spaceAsks(rec.value, params);
  if (!asked.ok) return asked;
  const input: Record<string, unknown> = { name: params.name, from: from.value.vol, ...asked.value };
  if (params.format !== undefined) input['format'] = params.format;
  return locked<R<'vol.copy'>>(svc, `copy to ${params.name}`, rec.value, { write: makingNames(params.name), read: [volKey(from.value.rec, from.value.vol.name)] }, async () => {
    const src = await fresh(svc, from.value.rec, from.value.vol);
    if (!src.ok) return src;
    input['from'] = src.value;
    const short = await fileRoom(rec.value, copyBytes(src.value), `copying ${src.value.name} to ${params.name}`, params.overcommit);
    if (short) return short;
    const r = await run<{ volume: Volume }>(svc, rec.value, 'vol.copy', input, call, params.dryRun === true);
    if (!r.ok) return r;
    return params.dryRun ? ok({ plan: r.value.plan }) : ok(described(svc, rec.value, r.value.value.volume));
  });
}

export async function snapshot(svc: Service, call: CallContext, params: P<'vol.snapshot'>): Promise<Result<R<'vol.snapshot'>>> {
  const badName = newName(params.name);
  if (badName) return badName;
  const rec = runningPool(svc, params.pool);
  if (!rec.ok) return rec;
  const from = await locate(svc, params.from);
  if (!from.ok) return from;
  return locked<R<'vol.snapshot'>>(svc, `snapshot ${params.name}`, rec.value, { write: makingNames(params.name), read: [volKey(from.value.rec, from.value.vol.name)] }, async () => {
    const src = await fresh(svc, from.value.rec, from.value.vol);
    if (!src.ok) return src;
    const r = await run<{ volume: Volume }>(svc, rec.value, 'vol.snapshot', { name: params.name, from: src.value }, call, params.dryRun === true);
    if (!r.ok) return r;
    return params.dryRun ? ok({ plan: r.value.plan }) : ok(described(svc, rec.value, r.value.value.volume));
  });
}

export async function resize(svc: Service, call: CallContext, params: P<'vol.resize'>): Promise<Result<R<'vol.resize'>>> {
  const c = positive(params.capacity, 'capacity');
  if (!c.ok) return c;
  const l = await locate(svc, params.volume);
  if (!l.ok) return l;
  const { rec } = l.value;
  // With delta, the new capacity is the current one plus (shrink: minus) the given amount, taken
  // from the volume as it is under the lock.
  const wanted = (v: Volume): Result<number> => {
    if (!params.delta) return ok(params.capacity);
    const n = params.shrink === true ? v.capacity - params.capacity : v.capacity + params.capacity;
    return Number.isSafeInteger(n) && n > 0 ? ok(n) : err('INVALID_ARGUMENT', `capacity ${v.capacity} ${params.shrink === true ? '-' : '+'} ${params.capacity} is not a positive size`, { field: 'capacity' });
  };
  const tooSmall = (v: Volume, n: number) => err('INVALID_ARGUMENT', `new capacity ${n} is smaller than the current ${v.capacity}: pass shrink: true to shrink`, { field: 'capacity' });
  const first = wanted(l.value.vol);
  if (!first.ok) return first;
  if (first.value < l.value.vol.capacity && params.shrink !== true) return tooSmall(l.value.vol, first.value);
  if (params.allocate === true && first.value < l.value.vol.capacity) return err('INVALID_ARGUMENT', 'allocate applies to growing a volume, not shrinking it', { field: 'allocate' });
  return locked<R<'vol.resize'>>(svc, `resize ${l.value.vol.name}`, rec, { write: [l.value.vol.name], table: true }, async () => {
    const now = await fresh(svc, rec, l.value.vol);
    if (!now.ok) return now;
    const vol = now.value;
    const n = wanted(vol);
    if (!n.ok) return n;
    if (n.value < vol.capacity && params.shrink !== true) return tooSmall(vol, n.value);
    const r = await run<{ volume: Volume }>(svc, rec, 'vol.resize', { volume: vol, capacity: n.value, shrink: params.shrink === true, ...(params.allocate === true ? { allocate: true } : {}), ...(params.overcommit === true ? { overcommit: true } : {}) }, call, params.dryRun === true);
    if (!r.ok) return r;
    return params.dryRun ? ok({ plan: r.value.plan }) : ok(described(svc, rec, r.value.value.volume));
  });
}

export async function remove(svc: Service, call: CallContext, params: P<'vol.delete'>): Promise<Result<R<'vol.delete'>>> {
  const l = await locate(svc, params.volume);
  if (!l.ok) return l;
  const { rec, vol } = l.value;
  return locked<R<'vol.delete'>>(svc, `delete ${vol.name}`, rec, { write: [vol.name], table: true }, async () => {
    const r = await run<object>(svc, rec, 'vol.delete', { volume: vol }, call, params.dryRun === true);
    if (!params.dryRun) svc.volumes.drop(cacheKey(rec, vol.name));
    if (!r.ok) return r;
    return ok(params.dryRun ? { plan: r.value.plan } : {});
  });
}

export async function wipe(svc: Service, call: CallContext, params: P<'vol.wipe'>): Promise<Result<R<'vol.wipe'>>> {
  const l = await locate(svc, params.volume);
  if (!l.ok) return l;
  const { rec } = l.value;
  return locked<R<'vol.wipe'>>(svc, `wipe ${l.value.vol.name}`, rec, { write: [l.value.vol.name] }, async () => {
    const now = await fresh(svc, rec, l.value.vol);
    if (!now.ok) return now;
    const vol = now.value;
    const over = params.overcommit === true ? { overcommit: true } : {};
    const r = await run<object>(svc, rec, 'vol.wipe', { volume: vol, algorithm: params.algorithm ?? 'zero', ...over }, call, params.dryRun === true);
    svc.volumes.drop(cacheKey(rec, vol.name));
    if (!r.ok) return r;
    return ok(params.dryRun ? { plan: r.value.plan } : {});
  });
}
