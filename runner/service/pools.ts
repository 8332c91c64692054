// pool.* methods: definitions in the store, storage work through the backend's scriptlets.
import { randomUUID } from 'node:crypto';
import { isAbsolute, join, normalize } from 'node:path';
import type { MethodContracts, Pool, PoolDefinition, PlanStep } from '../contracts/generated.js';
import { err, ok, type Result } from '../errors.js';
import { BACKENDS } from '../backends/index.js';
import { invoke } from '../scriptlet/invoke.js';
import { parsePoolXml, formatPoolXml, normalizePoolDefinition, type PoolDefinitionInput } from '../xml/pool-xml.js';
import { formatSourcesXml } from '../xml/sources-xml.js';
import type { PoolRecord } from '../state/pool-store.js';
import type { CallContext, Service } from './context.js';
import { describePool, fsRootOf, liveFacts, sourceProblem } from './pool-view.js';
import { sweepPartials } from './partials.js';
import { passwordProblem, redactArgv, withSecrets } from './secrets.js';

type P<M extends keyof MethodContracts> = MethodContracts[M]['params'];
type R<M extends keyof MethodContracts> = MethodContracts[M]['result'];

export function findPool(svc: Service, ref: string): Result<PoolRecord> {
  const rec = svc.store.find(ref);
  return rec ? ok(rec) : err('NO_POOL', `no pool with name or UUID ${JSON.stringify(ref)}`);
}

const poolKey = (def: PoolDefinition) => `pool:${def.uuid}`;

/** Run a pool-level change under the pool's exclusive lock. */
async function withPool<T>(svc: Service, ref: string, what: string, fn: (rec: PoolRecord) => Promise<Result<T>>, also: string[] = []): Promise<Result<T>> {
  const found = findPool(svc, ref);
  if (!found.ok) return found;
  const lock = await svc.locks.acquire(`${what} ${found.value.def.name}`, [poolKey(found.value.def), ...also]);
  if (!lock.ok) return lock;
  try {
    // Re-read under the lock: another process may have changed it.
    const rec = svc.store.get(found.value.def.name);
    if (!rec) return err('NO_POOL', `pool ${found.value.def.name} was undefined meanwhile`);
    return await fn(rec);
  } finally {
    await lock.value();
  }
}

function definitionFrom(params: P<'pool.define'>): Result<PoolDefinition> {
  if ('xml' in params) return parsePoolXml(params.xml);
  // The fields form gets libvirt's defaults and checks too (source format, /dev/VG targets...).
  const input: PoolDefinitionInput = { name: params.name, uuid: params.uuid ?? randomUUID(), type: params.type };
  if (params.source) input.source = params.source;
  if (params.target) input.target = params.target;
  return normalizePoolDefinition(input, { code: 'INVALID_ARGUMENT' });
}

/** The pool store keeps NAME.xml and NAME.state.json: a name must leave room for the longer one. */
const MAX_POOL_NAME_BYTES = 255 - '.state.json'.length;

function checkDefinition(def: PoolDefinition, fromXml: boolean): Result<PoolDefinition> {
  const backend = BACKENDS[def.type];
  if (!backend) return err('UNSUPPORTED', `pool type ${def.type} is not supported by this agent (supported: ${Object.keys(BACKENDS).join(', ')})`);
  if (Buffer.byteLength(def.name, 'utf8') > MAX_POOL_NAME_BYTES) {
    return err(fromXml ? 'XML_ERROR' : 'INVALID_ARGUMENT', `pool name ${JSON.stringify(def.name.slice(0, 300))} is longer than ${MAX_POOL_NAME_BYTES} bytes in UTF-8 (its state file is NAME.state.json)`, { field: 'name' });
  }
  const bad = sourceProblem(def.type, def.source);
  if (bad) return err('INVALID_ARGUMENT', bad.message, { field: bad.field });
  const secret = passwordProblem(def);
  if (secret) return err('INVALID_ARGUMENT', secret, { field: 'source.auth.password' });
  if (backend.fileTarget) {
    const path = def.target?.path;
    if (!path) return err('INVALID_ARGUMENT', `a ${def.type} pool needs a target path`, { field: 'target.path' });
    if (!isAbsolute(path)) return err('INVALID_ARGUMENT', `target path ${path} must be absolute`, { field: 'target.path' });
    def = { ...def, target: { ...def.target, path: normalize(path).replace(/(.)\/+$/, '$1') } };
  }
  return ok(def);
}

export async function define(svc: Service, params: P<'pool.define'>): Promise<Result<R<'pool.define'>>> {
  const parsed = definitionFrom(params);
  if (!parsed.ok) return parsed;
  const checked = checkDefinition(parsed.value, 'xml' in params);
  if (!checked.ok) return checked;
  const def = checked.value;
  // What is stored must read back: a document just under the size or element limits can grow
  // past them once written in libvirt's layout (indentation, the live size elements), and an
  // unreadable file would be a lost pool (or, on a redefine, replace a good definition).
  const back = parsePoolXml(formatPoolXml(def));
  if (!back.ok) return err('XML_ERROR', `pool ${def.name} cannot be stored: written in libvirt's form it is no longer a readable document (${back.error.message}); make the definition smaller`);
  const lock = await svc.locks.acquire(`define ${def.name}`, ['pools']);
  if (!lock.ok) return lock;
  try {
    const same = svc.store.get(def.name);
    if (same && same.def.uuid !== def.uuid) return err('POOL_EXISTS', `pool ${def.name} already exists with UUID ${same.def.uuid}`);
    const byUuid = svc.store.find(def.uuid);
    if (byUuid && byUuid.def.name !== def.name) return err('POOL_EXISTS', `pool ${byUuid.def.name} already has UUID ${def.uuid}`);
    if (def.target?.path && BACKENDS[def.type]?.fileTarget) {
      const other = svc.store.findByTarget(def.target.path);
      if (other && other.def.name !== def.name) return err('POOL_EXISTS', `pool ${other.def.name} already uses target ${def.target.path}`);
    }
    if ('dryRun' in params && params.dryRun) return ok({ plan: [{ fs: 'writeDefinition', path: join(svc.store.dir, `${def.name}.xml`) }] });
    svc.store.saveDef(def);
    const rec = svc.store.get(def.name);
    if (!rec) return err('INTERNAL', `pool ${def.name} was written but cannot be read back (please report this)`);
    return describePool(svc, rec);
  } finally {
    await lock.value();
  }
}

export async function undefine(svc: Service, params: P<'pool.undefine'>): Promise<Result<R<'pool.undefine'>>> {
  // Also under the definitions' lock ('pools', as pool.define): a define of the same name (another
  // UUID) must not land between the removal of the definition and that of its state file.
  return withPool<R<'pool.undefine'>>(svc, params.pool, 'undefine', async (rec) => {
    if (rec.state !== 'inactive') return err('POOL_ACTIVE', `pool ${rec.def.name} is ${rec.state}: stop it first (pool.stop)`);
    if (params.dryRun) return ok({ plan: [{ fs: 'removeDefinition', path: join(svc.store.dir, `${rec.def.name}.xml`) }] });
    const r = svc.store.remove(rec.def.name);
    return r.ok ? ok({}) : r;
  }, ['pools']);
}

/** A storage step through the backend; dryRun answers with the plan. */
async function storageStep(svc: Service, call: CallContext, rec: PoolRecord, op: 'pool.build' | 'pool.delete' | 'pool.start' | 'pool.stop', input: object, dryRun: boolean): Promise<Result<{ plan: PlanStep[] } | null>> {
  const bad = sourceProblem(rec.def.type, rec.def.source);
  if (bad) return err('INVALID_ARGUMENT', `pool ${rec.def.name}: ${bad.message} (redefine the pool)`, { field: bad.field });
  const pool = withSecrets(svc.rt.home, rec.def);
  if (!pool.ok) return pool;
  const o = redactArgv(await invoke(svc.rt, { op, poolType: rec.def.type, input: { pool: pool.value, ...input }, fsRoot: fsRootOf(rec.def), dryRun, signal: call.signal, onProgress: call.progress }), pool.value);
  if (!o.result.ok) return o.result;
  return ok(dryRun ? { plan: o.plan } : null);
}

export async function build(svc: Service, call: CallContext, params: P<'pool.build'>): Promise<Result<R<'pool.build'>>> {
  return withPool<R<'pool.build'>>(svc, params.pool, 'build', async (rec) => {
    if (rec.state !== 'inactive') return err('POOL_ACTIVE', `pool ${rec.def.name} is ${rec.state}: stop it before building`);
    const s = await storageStep(svc, call, rec, 'pool.build', { overwrite: params.overwrite === true }, params.dryRun === true);
    if (!s.ok) return s;
    return s.value ? ok(s.value) : describePool(svc, rec);
  });
}

export async function deletePool(svc: Service, call: CallContext, params: P<'pool.delete'>): Promise<Result<R<'pool.delete'>>> {
  return withPool<R<'pool.delete'>>(svc, params.pool, 'delete', async (rec) => {
    if (rec.state !== 'inactive') return err('POOL_ACTIVE', `pool ${rec.def.name} is ${rec.state}: stop it before deleting its storage`);
    const s = await storageStep(svc, call, rec, 'pool.delete', {}, params.dryRun === true);
    if (!s.ok) return s;
    return ok(s.value ?? {});
  });
}

export async function start(svc: Service, call: CallContext, params: P<'pool.start'>): Promise<Result<R<'pool.start'>>> {
  return withPool<R<'pool.start'>>(svc, params.pool, 'start', async (rec) => {
    if (rec.state === 'running') return err('POOL_ACTIVE', `pool ${rec.def.name} is already running`);
    const s = await storageStep(svc, call, rec, 'pool.start', {}, params.dryRun === true);
    if (!s.ok) return s;
    if (s.value) return ok(s.value);
    svc.store.saveState(rec.def.name, { state: 'running', autostart: rec.autostart });
    return describePool(svc, { ...rec, state: 'running' });
  });
}

export async function stop(svc: Service, call: CallContext, params: P<'pool.stop'>): Promise<Result<R<'pool.stop'>>> {
  return withPool<R<'pool.stop'>>(svc, params.pool, 'stop', async (rec) => {
    if (rec.state !== 'running') return err('POOL_INACTIVE', `pool ${rec.def.name} is not running`);
    const s = await storageStep(svc, call, rec, 'pool.stop', {}, params.dryRun === true);
    if (!s.ok) return s;
    if (s.value) return ok(s.value);
    svc.store.saveState(rec.def.name, { state: 'inactive', autostart: rec.autostart });
    return describePool(svc, { ...rec, state: 'inactive' });
  });
}

export async function refresh(svc: Service, params: P<'pool.refresh'>): Promise<Result<R<'pool.refresh'>>> {
  const found = findPool(svc, params.pool);
  if (!found.ok) return found;
  if (found.value.state !== 'running') return err('POOL_INACTIVE', `pool ${found.value.def.name} is not running`);
  // Volumes half made by a killed agent are removed (runner/service/partials.ts).
  await sweepPartials(svc, found.value);
  return describePool(svc, found.value);
}

export async function get(svc: Service, params: P<'pool.get'>): Promise<Result<R<'pool.get'>>> {
  let rec: PoolRecord | null = null;
  if (params.path !== undefined) rec = svc.store.findByTarget(params.path);
  else if (params.uuid !== undefined) rec = svc.store.find(params.uuid);
  else rec = svc.store.find(params.name ?? params.pool ?? '');
  if (!rec) return err('NO_POOL', `no pool matching ${JSON.stringify(params)}`);
  return describePool(svc, rec);
}

export async function list(svc: Service, params: P<'pool.list'>): Promise<Result<R<'pool.list'>>> {
  const pools: Pool[] = [];
  for (const rec of svc.store.all()) {
    if (params.active !== undefined && (rec.state === 'running') !== params.active) continue;
    if (params.type !== undefined && rec.def.type !== params.type) continue;
    const d = await describePool(svc, rec);
    // One broken pool must not hide the others: it is listed with zero sizes.
    pools.push(d.ok ? d.value : { name: rec.def.name, uuid: rec.def.uuid, type: rec.def.type, state: rec.state, persistent: true, autostart: rec.autostart, capacity: 0, allocation: 0, available: 0 });
  }
  return ok({ pools });
}

export async function dumpXml(svc: Service, params: P<'pool.dumpXml'>): Promise<Result<R<'pool.dumpXml'>>> {
  const found = findPool(svc, params.pool);
  if (!found.ok) return found;
  const rec = found.value;
  if (params.inactive) return ok({ xml: formatPoolXml(rec.def) });
  const live = await liveFacts(svc, rec);
  if (!live.ok) return live;
  return ok({ xml: formatPoolXml(rec.def, live.value) });
}

export async function setAutostart(svc: Service, params: P<'pool.setAutostart'>): Promise<Result<R<'pool.setAutostart'>>> {
  return withPool<R<'pool.setAutostart'>>(svc, params.pool, 'autostart', async (rec) => {
    if (params.dryRun) return ok({ plan: [{ fs: 'writeState', path: join(svc.store.dir, `${rec.def.name}.state.json`) }] });
    svc.store.saveState(rec.def.name, { state: rec.state, autostart: params.autostart });
    return describePool(svc, { ...rec, autostart: params.autostart });
  });
}

export async function findSources(svc: Service, call: CallContext, params: P<'pool.findSources'>): Promise<Result<R<'pool.findSources'>>> {
  // The device and host become tool arguments (parted DEVICE, showmount HOST).
  const bad = sourceProblem(params.type, { ...(params.device !== undefined ? { devices: [{ path: params.device }] } : {}), ...(params.host !== undefined ? { hosts: [{ name: params.host }] } : {}) });
  if (bad) return err('INVALID_ARGUMENT', bad.message, { field: bad.field === 'source.devices.0.path' ? 'device' : 'host' });
  if (params.initiator !== undefined && (params.initiator.startsWith('-') || /\s/.test(params.initiator))) {
    return err('INVALID_ARGUMENT', `initiator IQN ${JSON.stringify(params.initiator.slice(0, 200))} may not start with '-' or contain white space`, { field: 'initiator' });
  }
  const input: Record<string, string | number> = { type: params.type };
  if (params.host !== undefined) input['host'] = params.host;
  if (params.port !== undefined) input['port'] = params.port;
  if (params.device !== undefined) input['device'] = params.device;
  if (params.initiator !== undefined) input['initiator'] = params.initiator;
  const o = await invoke(svc.rt, { op: 'pool.findSources', poolType: params.type, input, fsRoot: null, signal: call.signal });
  if (!o.result.ok) return o.result;
  const sources = (o.result.value as { sources: R<'pool.findSources'>['sources'] }).sources;
  return ok({ sources, xml: formatSourcesXml(params.type, sources) });
}

/** Serve start-up: pools marked autostart that are not running are started (libvirtd does this). */
export async function autostartPools(svc: Service, call: CallContext): Promise<void> {
  for (const rec of svc.store.all()) {
    if (rec.autostart && rec.state !== 'running') await start(svc, call, { pool: rec.def.name });
  }
}
