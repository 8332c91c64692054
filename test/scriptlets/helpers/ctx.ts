// Test contexts for scriptlets, until (and beside) the runner's own: a replaying context that
// answers commands from a golden transcript, and a real one that runs them with execa (LC_ALL=C)
// and records what it ran in the golden format.
import { execa } from 'execa';
import { templateToArgv } from '../../../runner/scriptlet/api.js';
import type { Arg, CommandOptions, CommandResult, PoolFs, ScriptletContext, Shell } from '../../../runner/scriptlet/api.js';

export interface FsCall {
  kind: 'fs';
  op: string;
  args: unknown[];
  result: unknown;
}

export type Call = ExecCall | FsCall;

const FS_OPS = ['statRoot', 'mkdirRoot', 'rmdirRoot', 'usage', 'list', 'stat', 'readBytes', 'createFile', 'unlink', 'overwrite', 'allocate'] as const;

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

/** A real PoolFs for the tests, confined to one directory, recording what it does. */
export function recordingFs(root: string, calls: Call[]): PoolFs {
  const impl: Record<string, (...a: never[]) => Promise<unknown>> = {
    statRoot: async () => {
      const { statSync } = await import('node:fs');
      try {
        const st = statSync(root);
        return { ok: true, value: { name: '.', type: st.isDirectory() ? 'dir' : 'other', size: 0, allocated: 0, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, header: '' } };
      } catch {
        return { ok: true, value: null };
      }
    },
    mkdirRoot: async () => {
      const { mkdirSync } = await import('node:fs');
      mkdirSync(root, { mode: 0o755 });
      return { ok: true, value: undefined };
    },
    rmdirRoot: async () => {
      const { rmdirSync } = await import('node:fs');
      rmdirSync(root);
      return { ok: true, value: undefined };
    }
  };
  const fs: Record<string, unknown> = { root, path: (n: string) => `${root}/${n}` };
  for (const op of FS_OPS) {
    fs[op] = async (...args: never[]) => {
      const f = impl[op];
      if (!f) throw new Error(`recordingFs: ${op} not implemented in tests`);
      const result = await f(...args);
      // statRoot's stat facts vary by run; record whether the root exists.
      const kept = op === 'statRoot' ? { ok: true, value: (result as { value: unknown }).value === null ? null : { name: '.', type: 'dir', size: 0, allocated: 0, mode: 493, uid: 0, gid: 0, header: '' } } : result;
      calls.push({ kind: 'fs', op, args, result: kept });
      return result;
    };
  }
  return fs as unknown as PoolFs;
}

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

/** Runs commands for real and keeps the transcript. */
export function realCtx(toolVersion: string, opts: { fsRoot?: string | null } = {}): ScriptletContext & { calls: Call[] } {
  const calls: Call[] = [];
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
  return { $: sh, query: sh, fs: opts.fsRoot ? recordingFs(opts.fsRoot, calls) : null, host: { deviceMapper: false, root: true }, dryRun: false, toolVersion, progress: () => undefined, calls };
}
