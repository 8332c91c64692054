// What every method handler gets: the process-wide service (runtime, pool store, locks) and the
// request's own context (id, cancellation, progress).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Runtime } from '../runtime.js';
import { sweepSecretFiles } from '../state/secret-files.js';
import { PoolStore } from '../state/pool-store.js';
import { Locks, pidAlive } from '../state/locks.js';
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
  const locks = new Locks(join(rt.home, 'locks'));
  // What a killed agent left behind: half-written definition temp files and its lock files.
  store.sweep(pidAlive);
  locks.sweep();
  sweepSecretFiles(rt.home, pidAlive);
  // The volume cache checks its entries by making their file reads again, as the scriptlet did.
  return { rt, store, locks, volumes: new VolumeCache((root, op, args) => rt.executor.fs(root, op, args, {})) };
}

export function detachedCall(): CallContext {
  return { requestId: null, signal: new AbortController().signal, progress: () => undefined };
}
