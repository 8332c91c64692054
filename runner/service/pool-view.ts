// A pool as reported (contracts: Pool): its definition, state, and sizes read from the backend
// while it runs.
import type { Pool, PoolDefinition, PoolSource } from '../contracts/generated.js';
import { BACKENDS } from '../backends/index.js';
import { invoke } from '../scriptlet/invoke.js';
import { ok, type Result } from '../errors.js';
import type { PoolRecord } from '../state/pool-store.js';
import type { Service } from './context.js';

export function fsRootOf(def: PoolDefinition): string | null {
  return BACKENDS[def.type]?.fileTarget && def.target?.path ? def.target.path : null;
}

export interface LiveFacts {
  sizes: { capacity: number; allocation: number; available: number };
  source?: PoolSource;
}

export async function liveFacts(svc: Service, rec: PoolRecord): Promise<Result<LiveFacts>> {
  if (rec.state !== 'running') return ok({ sizes: { capacity: 0, allocation: 0, available: 0 } });
  const o = await invoke(svc.rt, { op: 'pool.refresh', poolType: rec.def.type, input: { pool: rec.def }, fsRoot: fsRootOf(rec.def) });
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
