// agent.* and host.* methods: what the agent is, what it found on this host, what it can do.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MethodContracts, PoolType } from '../contracts/generated.js';
import { ok, type Result } from '../errors.js';
import { BACKENDS, HOST_OPS } from '../backends/index.js';
import { choose, invoke } from '../scriptlet/invoke.js';
import type { OperationName } from '../scriptlet/api.js';
import { DIST_ROOT } from '../sandbox/host.js';
import type { CallContext, Service } from './context.js';

type P<M extends keyof MethodContracts> = MethodContracts[M]['params'];
type R<M extends keyof MethodContracts> = MethodContracts[M]['result'];

export const INTERFACE_VERSION = '1.0';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(DIST_ROOT, '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export async function version(): Promise<Result<R<'agent.version'>>> {
  return ok({ agent: packageVersion(), node: process.version, interface: INTERFACE_VERSION });
}

/** Every (pool type, operation) the backends name, with the host-wide ones. */
function allOperations(): { poolType: PoolType | 'host'; operation: OperationName; tool: string }[] {
  const out: { poolType: PoolType | 'host'; operation: OperationName; tool: string }[] = [];
  for (const [type, b] of Object.entries(BACKENDS)) {
    for (const [op, tool] of Object.entries(b?.ops ?? {})) out.push({ poolType: type as PoolType, operation: op as OperationName, tool: tool as string });
  }
  for (const [op, tool] of Object.entries(HOST_OPS)) out.push({ poolType: 'host', operation: op as OperationName, tool });
  return out;
}

export async function probe(svc: Service, params: P<'agent.probe'>): Promise<Result<R<'agent.probe'>>> {
  const tools = [];
  for (const t of svc.rt.probes.tools) {
    const info = await svc.rt.probes.probe(t.tool, params.refresh === true);
    const row: R<'agent.probe'>['tools'][number] = { tool: info.tool, binary: info.binary, path: info.path, version: info.version, normalized: info.normalized, package: info.package, cached: info.cached };
    if (info.error) row.error = info.error;
    tools.push(row);
  }
  const operations: R<'agent.probe'>['operations'] = [];
  for (const o of allOperations()) {
    const c = await choose(svc.rt, o.operation, o.poolType);
    if (c.ok) {
      const d = c.value.scriptlet.def;
      operations.push({ ...o, scriptlet: c.value.scriptlet.id, reason: `${c.value.tool} ${c.value.version} is in ${c.value.scriptlet.range}: ${d.why}` });
    } else {
      operations.push({ ...o, scriptlet: null, reason: c.error.message, code: c.error.code });
    }
  }
  return ok({ tools, host: svc.rt.probes.host(), operations });
}

export async function capabilities(svc: Service): Promise<Result<R<'agent.capabilities'>>> {
  const poolTypes: R<'agent.capabilities'>['poolTypes'] = [];
  for (const [type, b] of Object.entries(BACKENDS)) {
    const operations: string[] = [];
    const unavailable: { operation: string; code: string; reason: string }[] = [];
    const host = svc.rt.probes.host();
    const dmOnly = host.deviceMapper ? {} : (b?.needsDeviceMapper ?? {});
    for (const op of Object.keys(b?.ops ?? {}) as OperationName[]) {
      const c = await choose(svc.rt, op, type as PoolType);
      const dm = (dmOnly as Record<string, string>)[op];
      if (!c.ok) unavailable.push({ operation: op, code: c.error.code, reason: c.error.message });
      else if (dm) unavailable.push({ operation: op, code: 'UNSUPPORTED', reason: `this host has no device-mapper: ${dm}` });
      else operations.push(op);
    }
    // Parts of an operation that need device-mapper (thin volumes) while the rest works.
    for (const [what, why] of Object.entries(dmOnly as Record<string, string>)) {
      if (what.includes(' (')) unavailable.push({ operation: what, code: 'UNSUPPORTED', reason: `this host has no device-mapper: ${why}` });
    }
    // A type is usable when its pool life cycle and volume listing are.
    const supported = ['pool.start', 'vol.list'].every((op) => operations.includes(op));
    poolTypes.push({ type: type as PoolType, supported, operations, unavailable });
  }
  return ok({ poolTypes, host: svc.rt.probes.host() });
}

export async function hostVolumes(svc: Service, call: CallContext): Promise<Result<R<'host.listVolumes'>>> {
  const o = await invoke(svc.rt, { op: 'host.listVolumes', poolType: 'host', input: {}, fsRoot: null, signal: call.signal });
  return o.result.ok ? ok(o.result.value as R<'host.listVolumes'>) : o.result;
}
