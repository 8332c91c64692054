// A replaying scriptlet context for building goldens from recordings (make-goldens.ts): it
// answers commands from a transcript in order. Real runs go through the agent (record mode).
import { shellOver } from '../../../runner/scriptlet/api.js';
import type { ExecCall } from '../../../runner/golden/types.js';
import type { CommandOptions, CommandResult, PoolFs, ScriptletContext, Shell } from '../../../runner/scriptlet/api.js';

export interface FsCall {
  kind: 'fs';
  op: string;
  args: unknown[];
  result: unknown;
}

export type Call = ExecCall | FsCall;

const FS_OPS = ['statRoot', 'mkdirRoot', 'rmdirRoot', 'usage', 'list', 'stat', 'readBytes', 'createFile', 'unlink', 'overwrite', 'allocate', 'rename', 'setPermissions'] as const;

/** A PoolFs that answers from the transcript (fs calls in order, interleaved with commands). */
function replayFs(root: string, next: (kind: 'fs', describe: string) => Call): PoolFs {
  const fs: Record<string, unknown> = { root, path: (n: string) => `${root}/${n}` };
  for (const op of FS_OPS) {
    fs[op] = async (...args: unknown[]) => {
      const c = next('fs', `${op}(${JSON.stringify(args)})`) as FsCall;
      if (c.op !== op || JSON.stringify(c.args) !== JSON.stringify(args)) throw new Error(`fs call: expected ${c.op}(${JSON.stringify(c.args)}), got ${op}(${JSON.stringify(args)})`);
      return c.result;
    };
  }
  return fs as unknown as PoolFs;
}

export type { ExecCall } from '../../../runner/golden/types.js';

const makeShell = shellOver;

function result(c: ExecCall): CommandResult {
  return {
    argv: c.argv,
    exitCode: c.exitCode,
    signal: c.signal,
    stdout: c.stdout,
    stderr: c.stderr,
    failed: c.exitCode !== 0 || c.signal !== null || c.timedOut,
    timedOut: c.timedOut,
    truncated: false
  };
}

/** Answers each command from `calls` in order; throws on a command that is not next. */
export function replayCtx(calls: Call[], toolVersion: string, opts: { fsRoot?: string | null; dryRun?: boolean } = {}): ScriptletContext & { remaining(): number } {
  let i = 0;
  const next = (kind: 'exec' | 'fs', describe: string): Call => {
    const c = calls[i];
    if (!c) throw new Error(`unexpected ${kind} call (transcript exhausted): ${describe}`);
    if (c.kind !== kind) throw new Error(`call ${i}: expected a ${c.kind} call, got ${kind} ${describe}`);
    i++;
    return c;
  };
  const runner = async (argv: string[], o: CommandOptions): Promise<CommandResult> => {
    const c = next('exec', JSON.stringify(argv)) as ExecCall;
    i--;
    if (JSON.stringify(c.argv) !== JSON.stringify(argv)) throw new Error(`command ${i}: expected ${JSON.stringify(c.argv)}, got ${JSON.stringify(argv)}`);
    if ((c.stdin ?? null) !== (o.stdin ?? null)) throw new Error(`command ${i}: stdin ${JSON.stringify(o.stdin)} differs from ${JSON.stringify(c.stdin)}`);
    i++;
    return result(c);
  };
  const sh = makeShell(runner);
  return {
    $: sh,
    query: sh,
    fs: opts.fsRoot ? replayFs(opts.fsRoot, next) : null,
    host: { deviceMapper: false, root: true },
    dryRun: opts.dryRun ?? false,
    toolVersion,
    progress: () => undefined,
    remaining: () => calls.length - i
  };
}
