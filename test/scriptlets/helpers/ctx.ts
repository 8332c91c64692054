// Test contexts for scriptlets, until (and beside) the runner's own: a replaying context that
// answers commands from a golden transcript, and a real one that runs them with execa (LC_ALL=C)
// and records what it ran in the golden format.
import { execa } from 'execa';
import { templateToArgv } from '../../../runner/scriptlet/api.js';
import type { Arg, CommandOptions, CommandResult, PoolFs, ScriptletContext, Shell } from '../../../runner/scriptlet/api.js';

export interface ExecCall {
  kind: 'exec';
  argv: string[];
  stdin: string | null;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  from?: string;
}

function makeShell(runner: (argv: string[], opts: CommandOptions) => Promise<CommandResult>, opts: CommandOptions = {}): Shell {
  const sh = ((strings: TemplateStringsArray, ...values: Arg[]) => runner(templateToArgv(strings, values), opts)) as Shell;
  sh.with = (more: CommandOptions) => makeShell(runner, { ...opts, ...more });
  return sh;
}

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
export function replayCtx(calls: ExecCall[], toolVersion: string, opts: { fs?: PoolFs | null; dryRun?: boolean } = {}): ScriptletContext & { remaining(): number } {
  let i = 0;
  const runner = async (argv: string[], o: CommandOptions): Promise<CommandResult> => {
    const c = calls[i];
    if (!c) throw new Error(`unexpected command (transcript exhausted): ${JSON.stringify(argv)}`);
    if (JSON.stringify(c.argv) !== JSON.stringify(argv)) throw new Error(`command ${i}: expected ${JSON.stringify(c.argv)}, got ${JSON.stringify(argv)}`);
    if ((c.stdin ?? null) !== (o.stdin ?? null)) throw new Error(`command ${i}: stdin ${JSON.stringify(o.stdin)} differs from ${JSON.stringify(c.stdin)}`);
    i++;
    return result(c);
  };
  const sh = makeShell(runner);
  return {
    $: sh,
    query: sh,
    fs: opts.fs ?? null,
    host: { deviceMapper: false, root: true },
    dryRun: opts.dryRun ?? false,
    toolVersion,
    progress: () => undefined,
    remaining: () => calls.length - i
  };
}

/** Runs commands for real and keeps the transcript. */
export function realCtx(toolVersion: string, opts: { fs?: PoolFs | null } = {}): ScriptletContext & { calls: ExecCall[] } {
  const calls: ExecCall[] = [];
  const runner = async (argv: string[], o: CommandOptions): Promise<CommandResult> => {
    const [bin, ...args] = argv as [string, ...string[]];
    const r = await execa(bin, args, {
      reject: false,
      input: o.stdin ?? '',
      env: { LC_ALL: 'C', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
      extendEnv: false,
      timeout: o.timeoutMs ?? 120000,
      stripFinalNewline: false
    });
    const c: ExecCall = {
      kind: 'exec',
      argv,
      stdin: o.stdin ?? null,
      exitCode: r.exitCode ?? null,
      signal: r.signal ?? null,
      timedOut: r.timedOut ?? false,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? '')
    };
    calls.push(c);
    return result(c);
  };
  const sh = makeShell(runner);
  return { $: sh, query: sh, fs: opts.fs ?? null, host: { deviceMapper: false, root: true }, dryRun: false, toolVersion, progress: () => undefined, calls };
}
