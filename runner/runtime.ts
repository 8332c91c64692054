// Everything a request needs, made once per process: the home, the sandbox, the scriptlet
// registry, the probes, the compiled contracts, the pool store.
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SandboxHost } from './sandbox/host.js';
import { Registry, SCRIPTLETS_DIR } from './scriptlet/registry.js';
import { ProbeService } from './probe/probe.js';
import { Contracts } from './contracts/validate.js';
import { FIXED_PATH } from './exec/run-command.js';
import { realExecutor, type ToolExecutor } from './exec/executor.js';

// The interface lives beside the orchestration that takes it; this file only builds one.
export type { Runtime } from './scriptlet/runtime-types.js';
import type { Runtime } from './scriptlet/runtime-types.js';

export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env['STORAGE_AGENT_HOME']) return env['STORAGE_AGENT_HOME'];
  if (typeof process.getuid === 'function' && process.getuid() === 0) return '/var/lib/storage-agent';
  const data = env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
  return join(data, 'storage-agent');
}

export interface RuntimeOptions {
  home?: string;
  scriptletDirs?: string[];
  sandboxRoots?: string[];
  toolPath?: string;
  executor?: ToolExecutor;
  recordDir?: string | null;
  recordSource?: string | null;
}

export async function createRuntime(opts: RuntimeOptions = {}): Promise<Runtime> {
  const home = opts.home ?? defaultHome();
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const sandbox = new SandboxHost(opts.sandboxRoots);
  // Nearly every request runs a scriptlet: start the sandbox while the rest loads.
  sandbox.warm();
  const toolPath = opts.toolPath ?? process.env['STORAGE_AGENT_TOOL_PATH'] ?? FIXED_PATH;
  return {
    home,
    toolPath,
    sandbox,
    registry: await Registry.load(opts.scriptletDirs ?? [SCRIPTLETS_DIR], 'manifest'),
    probes: new ProbeService(home, toolPath),
    contracts: await Contracts.load(),
    executor: opts.executor ?? realExecutor,
    recordDir: opts.recordDir ?? process.env['STORAGE_AGENT_RECORD'] ?? null,
    recordSource: opts.recordSource ?? process.env['STORAGE_AGENT_RECORD_SOURCE'] ?? null
  };
}
