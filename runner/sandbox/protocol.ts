// Messages between the runner (parent) and the sandbox process that runs scriptlet code.
import type { CommandOptions, CommandResult, HostFacts, ScriptletResult, FsResult } from '../scriptlet/api.js';
import type { FsOpName } from '../exec/pool-fs.js';

export interface RunContextInfo {
  dryRun: boolean;
  host: HostFacts;
  toolVersion: string;
  /** Pool target for ctx.fs, or null when the pool type has no file target. */
  fsRoot: string | null;
}

export type ToChild =
  | { t: 'run'; id: number; module: string; input: unknown; ctx: RunContextInfo }
  | { t: 'execResult'; id: number; callId: number; result: CommandResult }
  | { t: 'fsResult'; id: number; callId: number; result: FsResult<unknown> };

export type FromChild =
  | { t: 'ready' }
  | { t: 'exec'; id: number; callId: number; argv: string[]; options: CommandOptions; mutating: boolean }
  | { t: 'fs'; id: number; callId: number; op: FsOpName; args: unknown[] }
  | { t: 'progress'; id: number; done: number; total: number }
  | { t: 'done'; id: number; result: ScriptletResult<unknown> };
