// Replay: commands and file operations answered from a golden transcript, in order. A call that
// is not the next one in the transcript fails the replay; so does a transcript left unused.
import type { CommandResult, FsResult } from '../scriptlet/api.js';
import type { ToolExecutor } from '../exec/executor.js';
import type { GoldenCall } from './types.js';
import { isDeepStrictEqual } from 'node:util';

export class ReplayExecutor implements ToolExecutor {
  private next = 0;
  readonly problems: string[] = [];

  constructor(private readonly calls: readonly GoldenCall[]) {}

  private take(describe: string, match: (c: GoldenCall) => boolean): GoldenCall | null {
    const c = this.calls[this.next];
    if (!c || !match(c)) {
      this.problems.push(`unexpected call #${this.next + 1}: ${describe}; transcript has ${c ? JSON.stringify(c.kind === 'exec' ? c.argv : [c.op, ...c.args]) : 'nothing more'}`);
      return null;
    }
    this.next++;
    return c;
  }

  async exec(_file: string, argv: readonly string[], opts: { stdin?: string | undefined; onStdout?: ((s: string) => void) | undefined }): Promise<CommandResult> {
    const c = this.take(`exec ${JSON.stringify(argv)}`, (x) => x.kind === 'exec' && isDeepStrictEqual(x.argv, [...argv]) && (x.stdin ?? undefined) === opts.stdin);
    if (!c || c.kind !== 'exec') {
      return { argv: [...argv], exitCode: 125, signal: null, stdout: '', stderr: 'golden replay: command not in transcript', failed: true, timedOut: false, truncated: false };
    }
    if (opts.onStdout && c.stdout) opts.onStdout(c.stdout);
    return { argv: [...argv], exitCode: c.exitCode, signal: c.signal, stdout: c.stdout, stderr: c.stderr, failed: c.exitCode !== 0 || c.timedOut || c.signal !== null, timedOut: c.timedOut, truncated: false };
  }

  async fs(_root: string, op: string, args: readonly unknown[]): Promise<FsResult<unknown>> {
    // Trailing optional arguments (undefined, or null after JSON) are compared without them.
    const trim = (a: readonly unknown[]) => {
      const x = [...a];
      while (x.length && (x[x.length - 1] === undefined || x[x.length - 1] === null)) x.pop();
      return x;
    };
    const c = this.take(`fs ${op} ${JSON.stringify(trim(args))}`, (x) => x.kind === 'fs' && x.op === op && isDeepStrictEqual(trim(x.args), trim(args)));
    if (!c || c.kind !== 'fs') return { ok: false, code: 'INTERNAL', message: 'golden replay: file operation not in transcript' };
    const r = c.result;
    return r.ok ? { ok: true, value: r.value } : { ok: false, code: r.code as never, message: r.message };
  }

  unused(): number {
    return this.calls.length - this.next;
  }
}
