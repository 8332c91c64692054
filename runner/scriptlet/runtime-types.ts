// What one operation runs with (built once per process by runner/runtime.ts): the orchestration
// (select.ts, invoke.ts) takes it, so it is declared here, below runtime.ts.
import type { SandboxHost } from '../sandbox/host.js';
import type { Registry } from './registry.js';
import type { ProbeService } from '../probe/probe.js';
import type { Contracts } from '../contracts/validate.js';
import type { ToolExecutor } from '../exec/executor.js';

export interface Runtime {
  home: string;
  /** Where declared binaries are resolved. FIXED_PATH unless STORAGE_AGENT_TOOL_PATH (tests). */
  toolPath: string;
  sandbox: SandboxHost;
  registry: Registry;
  probes: ProbeService;
  contracts: Contracts;
  executor: ToolExecutor;
  /** Record mode: write every real run as a golden here. */
  recordDir: string | null;
  /** Record mode: the `source` of every golden written (else host, OS and date). */
  recordSource: string | null;
}
