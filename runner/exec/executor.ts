// What actually answers a scriptlet's commands and file operations: the machine (real), or a
// golden transcript (replay, in runner/golden/replay.ts).
import type { CommandResult, FsResult } from '../scriptlet/api.js';
import { runCommand, type RunOptions } from './run-command.js';
import { PoolFsHost, type FsOpName, type PoolFsOptions } from './pool-fs.js';

export interface ToolExecutor {
  exec(file: string, argv: readonly string[], opts: RunOptions): Promise<CommandResult>;
  fs(root: string, op: FsOpName, args: readonly unknown[], opts: PoolFsOptions): Promise<FsResult<unknown>>;
}

export const realExecutor: ToolExecutor = {
  exec: (file, argv, opts) => runCommand(file, argv, opts),
  fs: (root, op, args, opts) => new PoolFsHost(root).call(op, args, opts)
};
