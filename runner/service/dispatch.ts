// Method name -> handler, with params checked against the contract on the way in and the result
// on the way out. The one place a thrown exception becomes a value (INTERNAL).
import type { MethodContracts } from '../contracts/generated.js';
import { err, internal, type Result } from '../errors.js';
import type { CallContext, Service } from './context.js';
import * as pools from './pools.js';
import * as vols from './volumes.js';
import * as agent from './agent.js';

type Handler = (svc: Service, call: CallContext, params: never) => Promise<Result<unknown>>;

const HANDLERS: { [M in keyof MethodContracts]?: Handler } = {
  'agent.version': () => agent.version(),
  'agent.probe': (s, _c, p) => agent.probe(s, p),
  'agent.capabilities': (s) => agent.capabilities(s),
  'host.listVolumes': (s, c) => agent.hostVolumes(s, c),
  'pool.list': (s, _c, p) => pools.list(s, p),
  'pool.define': (s, _c, p) => pools.define(s, p),
  'pool.create': (s, c, p) => pools.create(s, c, p),
  'pool.undefine': (s, _c, p) => pools.undefine(s, p),
  'pool.build': (s, c, p) => pools.build(s, c, p),
  'pool.delete': (s, c, p) => pools.deletePool(s, c, p),
  'pool.start': (s, c, p) => pools.start(s, c, p),
  'pool.stop': (s, c, p) => pools.stop(s, c, p),
  'pool.refresh': (s, _c, p) => pools.refresh(s, p),
  'pool.get': (s, _c, p) => pools.get(s, p),
  'pool.dumpXml': (s, _c, p) => pools.dumpXml(s, p),
  'pool.setAutostart': (s, _c, p) => pools.setAutostart(s, p),
  'pool.findSources': (s, c, p) => pools.findSources(s, c, p),
  'vol.list': (s, _c, p) => vols.list(s, p),
  'vol.get': (s, _c, p) => vols.get(s, p),
  'vol.create': (s, c, p) => vols.create(s, c, p),
  'vol.copy': (s, c, p) => vols.copy(s, c, p),
  'vol.snapshot': (s, c, p) => vols.snapshot(s, c, p),
  'vol.resize': (s, c, p) => vols.resize(s, c, p),
  'vol.delete': (s, c, p) => vols.remove(s, c, p),
  'vol.wipe': (s, c, p) => vols.wipe(s, c, p),
  'vol.dumpXml': (s, _c, p) => vols.dumpXml(s, p)
};

export function isMethod(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(HANDLERS, name) || name === 'agent.cancel';
}

export async function dispatch(svc: Service, call: CallContext, method: string, params: unknown): Promise<Result<unknown>> {
  const handler = Object.prototype.hasOwnProperty.call(HANDLERS, method) ? HANDLERS[method as keyof MethodContracts] : undefined;
  if (!handler) return err('INVALID_ARGUMENT', `unknown method ${method}`);
  const p = params === undefined ? {} : params;
  const bad = svc.rt.contracts.checkParams(method, p);
  if (bad) return { ok: false, error: bad };
  try {
    const r = await handler(svc, call, p as never);
    if (r.ok) {
      const badResult = svc.rt.contracts.checkResult(method, r.value);
      if (badResult) return { ok: false, error: badResult };
    }
    return r;
  } catch (e) {
    return internal(e, method);
  }
}
