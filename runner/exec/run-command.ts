// The one place the agent starts a process. argv arrays only (never a shell), a fixed PATH and
// LC_ALL=C so tools answer the same way whoever runs the agent, a timeout that kills the whole
// process group (tools fork helpers), an output cap, and cancellation by AbortSignal.
// node:child_process directly: execa cost 1.5-3 ms more CPU per command (measured on true and
// on lvs; test/bench workload (e)), its import ~90 ms at the first command, and seconds for an
// output near the cap. The result is the one execa 9 gave with the options used before
// (test/runner/exec/run-command.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { CommandResult } from '../scriptlet/api.js';

/** Where declared binaries are looked up; nothing from the caller's PATH. */
export const FIXED_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_TIMEOUT_MS = 120_000;
export const OUTPUT_CAP = 16 * 1024 * 1024;

export interface RunOptions {
  stdin?: string | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called with each chunk of stdout as it arrives (progress parsing). */
  onStdout?: ((chunk: string) => void) | undefined;
  /** Extra environment on top of LC_ALL=C and the fixed PATH (tests point PATH at fake tools). */
  env?: Record<string, string> | undefined;
}

export function runCommand(file: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(file, argv.slice(1), {
        shell: false,
        env: { LC_ALL: 'C', LANG: 'C', PATH: FIXED_PATH, ...opts.env },
        stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        // Own process group, so a timeout or cancel kills the tool's children too.
        detached: true
      });
    } catch {
      resolve(notStarted(argv));
      return;
    }
    let timedOut = false;
    let killedByAbort = false;
    let settled = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, timeoutMs);
    const onAbort = () => {
      killedByAbort = true;
      killGroup();
    };
    const finish = (r: CommandResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    if (opts.signal) {
      if (opts.signal.aborted) onAbort();
      else opts.signal.addEventListener('abort', onAbort, { once: true });
    }
    const stdout = collect(child.stdout!);
    const stderr = collect(child.stderr!);
    if (opts.onStdout) child.stdout!.on('data', (d: Buffer | string) => opts.onStdout?.(String(d)));
    if (child.stdin) {
      // A tool that exits without reading its input: EPIPE is not the command's failure.
      child.stdin.on('error', () => undefined);
      child.stdin.end(opts.stdin);
    }
    // Not started (ENOENT, EACCES...): no exit status, no output. Errors of a started process
    // (a failed kill) change nothing: its close event still ends the run.
    child.on('error', () => {
      if (child.pid === undefined) finish(notStarted(argv));
    });
    child.on('close', (code, signal) => {
      const truncated = stdout.truncated || stderr.truncated;
      if (truncated) killGroup();
      const exitCode = typeof code === 'number' ? code : null;
      finish({
        argv: [...argv],
        exitCode,
        signal: signal ?? null,
        stdout: stdout.text(),
        stderr: stderr.text(),
        failed: exitCode !== 0 || timedOut || killedByAbort,
        timedOut,
        truncated
      });
    });
  });
}

function notStarted(argv: readonly string[]): CommandResult {
  return { argv: [...argv], exitCode: null, signal: null, stdout: '', stderr: '', failed: true, timedOut: false, truncated: false };
}

/**
 * One output stream as UTF-8 text (decoded as it arrives, so a character split across chunks
 * stays whole), at most OUTPUT_CAP characters: past that the rest is cut off and the stream
 * closed (the tool gets EPIPE on its next write); the command still runs to its end.
 */
function collect(stream: Readable): { text(): string; readonly truncated: boolean } {
  const decoder = new StringDecoder('utf8');
  const parts: string[] = [];
  let length = 0;
  let truncated = false;
  const add = (s: string) => {
    if (truncated || s === '') return;
    if (length + s.length > OUTPUT_CAP) {
      parts.push(s.slice(0, OUTPUT_CAP - length));
      length = OUTPUT_CAP;
      truncated = true;
      stream.destroy();
      return;
    }
    parts.push(s);
    length += s.length;
  };
  stream.on('data', (b: Buffer) => add(decoder.write(b)));
  stream.on('end', () => add(decoder.end()));
  // A destroyed or failing pipe ends the output; the close event ends the run.
  stream.on('error', () => undefined);
  return {
    text: () => parts.join(''),
    get truncated() {
      return truncated;
    }
  };
}
