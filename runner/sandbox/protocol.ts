// Messages between the runner (parent) and the sandbox process that runs scriptlet code.
import type { CommandOptions, CommandResult, HostFacts, ScriptletResult, FsResult } from '../scriptlet/api.js';
import type { FsOpName } from '../exec/pool-fs.js';

/** Command options as they cross to the runner: functions stay in the sandbox. */
export type WireCommandOptions = Omit<CommandOptions, 'onStdout'> & {
  /** The sandbox wants the command's stdout as it arrives (`stdout` messages). */
  stream?: boolean;
};

export interface RunContextInfo {
  dryRun: boolean;
  host: HostFacts;
  toolVersion: string;
  /** Pool target for ctx.fs, or null when the pool type has no file target. */
  fsRoot: string | null;
}

// Every message about a run carries the run's token: a random secret the runner gives the
// sandbox with the run and checks on every request back. Runs share the sandbox process, so a
// run that manages to write to the IPC channel itself cannot act for another run (borrowing its
// declared binaries or pool) or answer in its place without knowing that run's token.
export type ToChild =
  | { t: 'run'; id: number; token: string; module: string; input: unknown; ctx: RunContextInfo }
  | { t: 'execResult'; id: number; token: string; callId: number; result: CommandResult }
  | { t: 'fsResult'; id: number; token: string; callId: number; result: FsResult<unknown> }
  | { t: 'stdout'; id: number; token: string; callId: number; chunk: string }
  | { t: 'ping'; n: number };

export type FromChild =
  | { t: 'ready' }
  | { t: 'pong'; n: number }
  | { t: 'exec'; id: number; token: string; callId: number; argv: string[]; options: WireCommandOptions; mutating: boolean }
  | { t: 'fs'; id: number; token: string; callId: number; op: FsOpName; args: unknown[] }
  | { t: 'progress'; id: number; token: string; done: number; total: number }
  | { t: 'done'; id: number; token: string; result: ScriptletResult<unknown> };
