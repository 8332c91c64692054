// What every method handler gets: the process-wide service (runtime, pool store, locks) and the
// request's own context (id, cancellation, progress).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Runtime } from '../runtime.js';
import { PoolStore } from '../state/pool-store.js';
import { Locks } from '../state/locks.js';
import { VolumeCache } from './volume-cache.js';

export interface Service {
  rt: Runtime;
  store: PoolStore;
  locks: Locks;
  volumes: VolumeCache;
}

export interface CallContext {
  requestId: string | number | null;
  signal: AbortSignal;
  progress(done: number, total: number): void;
}

export function createService(rt: Runtime): Service {
  const store = new PoolStore(rt.home);
  store.ensureInitialized(randomUUID);
  return { rt, store, locks: new Locks(join(rt.home, 'locks')), volumes: new VolumeCache() };
}

export function detachedCall(): CallContext {
  return { requestId: null, signal: new AbortController().signal, progress: () => undefined };
}
