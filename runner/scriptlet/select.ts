// Which scriptlet serves an operation here: the backend table names the tool for the pool type,
// the probe gives its version, the registry the scriptlet whose range holds it.
import type { PoolType } from '../contracts/generated.js';
import type { OperationName } from './api.js';
import { err, ok, type Result } from '../errors.js';
import { BACKENDS, HOST_OPS } from '../backends/index.js';
import type { Runtime } from './runtime-types.js';
import type { RegisteredScriptlet } from './registry.js';

/** The tool serving an operation for a pool type, or null when the type does not offer it. */
export function toolFor(op: OperationName, poolType: PoolType | 'host'): string | null {
  if (poolType === 'host') return HOST_OPS[op] ?? null;
  return BACKENDS[poolType]?.ops[op] ?? null;
}

export async function choose(rt: Runtime, op: OperationName, poolType: PoolType | 'host'): Promise<Result<{ scriptlet: RegisteredScriptlet; version: string; tool: string }>> {
  const tool = toolFor(op, poolType);
  if (!tool) return err('UNSUPPORTED', poolType === 'host' ? `${op} is not offered` : `pool type ${poolType} does not offer ${op}`);
  const info = await rt.probes.probe(tool);
  if (!info.version || !info.normalized) {
    if (!info.path && info.binary !== '(built in)') {
      return err('TOOL_MISSING', `${op} on ${poolType} needs ${info.binary}, which is not installed (Debian package ${info.package})`, { tool, package: info.package });
    }
    return err('TOOL_FAILED', `${op} needs ${tool}, whose version could not be read: ${info.error ?? 'unknown'}`, { tool });
  }
  const sel = rt.registry.select(op, poolType, tool, info.normalized);
  if (!sel.ok) {
    const wanted = sel.ranges.length ? sel.ranges.join(', ') : 'none';
    return err('UNSUPPORTED', `${op} on ${poolType} is not supported with ${tool} ${info.version}; scriptlets exist for: ${wanted}`, { tool, version: info.version, wanted });
  }
  return ok({ scriptlet: sel.scriptlet, version: info.version, tool });
}
