// A pool as reported (contracts: Pool): its definition, state, and sizes read from the backend
// while it runs.
import type { Pool, PoolDefinition, PoolSource } from '../contracts/generated.js';
import { BACKENDS } from '../backends/index.js';
import { invoke } from '../scriptlet/invoke.js';
import { err, ok, type Result } from '../errors.js';
import type { PoolRecord } from '../state/pool-store.js';
import type { Service } from './context.js';
import { redactArgv, withSecrets } from './secrets.js';

// Pool types whose <source><device path> names a local block device or file: an absolute path.
const LOCAL_DEVICE_TYPES: ReadonlySet<string> = new Set(['fs', 'disk', 'logical', 'zfs']);

/**
 * Why a pool's source cannot be handed to its tools, or null. Source fields become tool
 * arguments (a device path for mkfs, wipefs, parted, pvcreate; a host for mount; a VG name for
 * lvcreate): one starting with '-' would be read as an option, a relative device path would name
 * a file in the agent's working directory. Checked when a pool is defined and again before any
 * storage operation, so a definition stored before this check cannot reach a tool either.
 */
export function sourceProblem(type: string, source: PoolSource | undefined): { field: string; message: string } | null {
  const dash = (v: string) => v.startsWith('-');
  for (const [i, d] of (source?.devices ?? []).entries()) {
    if (LOCAL_DEVICE_TYPES.has(type) ? !d.path.startsWith('/') : dash(d.path)) {
      return { field: `source.devices.${i}.path`, message: `source device path ${JSON.stringify(d.path.slice(0, 200))} must be an absolute path` };
    }
  }
  for (const [i, h] of (source?.hosts ?? []).entries()) {
    if (dash(h.name) || /\s/.test(h.name)) return { field: `source.hosts.${i}.name`, message: `source host name ${JSON.stringify(h.name.slice(0, 200))} may not start with '-' or contain white space` };
  }
  if (source?.name !== undefined && dash(source.name)) return { field: 'source.name', message: `source name ${JSON.stringify(source.name.slice(0, 200))} may not start with '-'` };
  if (source?.initiator !== undefined && (dash(source.initiator) || /\s/.test(source.initiator))) return { field: 'source.initiator', message: `initiator IQN ${JSON.stringify(source.initiator.slice(0, 200))} may not start with '-' or contain white space` };
  if (source?.dir !== undefined && dash(source.dir)) return { field: 'source.dir', message: `source directory ${JSON.stringify(source.dir.slice(0, 200))} may not start with '-'` };
  return null;
}

export function fsRootOf(def: PoolDefinition): string | null {
  return BACKENDS[def.type]?.fileTarget && def.target?.path ? def.target.path : null;
}

export interface LiveFacts {
  sizes: { capacity: number; allocation: number; available: number };
  source?: PoolSource;
}

export async function liveFacts(svc: Service, rec: PoolRecord): Promise<Result<LiveFacts>> {
  if (rec.state !== 'running') return ok({ sizes: { capacity: 0, allocation: 0, available: 0 } });
  const bad = sourceProblem(rec.def.type, rec.def.source);
  if (bad) return err('INVALID_ARGUMENT', `pool ${rec.def.name}: ${bad.message} (redefine the pool)`, { field: bad.field });
  const pool = withSecrets(svc.rt.home, rec.def);
  if (!pool.ok) return pool;
  const o = redactArgv(await invoke(svc.rt, { op: 'pool.refresh', poolType: rec.def.type, input: { pool: pool.value }, fsRoot: fsRootOf(rec.def) }), pool.value);
  if (!o.result.ok) return o.result;
  const v = o.result.value as LiveFacts;
  return ok(v.source ? { sizes: v.sizes, source: v.source } : { sizes: v.sizes });
}

export function poolView(rec: PoolRecord, live: LiveFacts): Pool {
  const p: Pool = {
    name: rec.def.name,
    uuid: rec.def.uuid,
    type: rec.def.type,
    state: rec.state,
    persistent: true,
    autostart: rec.autostart,
    ...live.sizes
  };
  const source = live.source ? { ...rec.def.source, ...live.source } : rec.def.source;
  if (source) p.source = source;
  if (rec.def.target) p.target = rec.def.target;
  return p;
}

export async function describePool(svc: Service, rec: PoolRecord): Promise<Result<Pool>> {
  const live = await liveFacts(svc, rec);
  if (!live.ok) return live;
  return ok(poolView(rec, live.value));
}
