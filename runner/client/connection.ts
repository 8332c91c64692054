// One JSON-RPC 2.0 session with `storage-agent serve` in a child process (local, or ssh running
// it remotely): requests out one per line, responses matched by id, `progress` notifications
// routed to their request, cancellation by `agent.cancel`, and every pending request answered
// with an error value if the process ends first. Nothing here throws at its callers.
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import type { ErrorData } from '../contracts/generated.js';
import type { Result } from '../errors.js';
import { endedError } from './exit-errors.js';

export interface Progress {
  requestId: number;
  method: string;
  done: number;
  total: number;
}

export interface RequestOptions {
  /** Abort: the agent is asked to stop the request (`agent.cancel`); it answers `CANCELLED`. */
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

interface Pending {
  method: string;
  resolve: (r: Result<unknown>) => void;
  onProgress?: ((p: Progress) => void) | undefined;
}

export interface Spawnable {
  file: string;
  args: string[];
  /** `user@host` for ssh, null for a local agent (for messages and error codes). */
  remote: string | null;
  /** The agent's command, for messages. */
  agent: string;
  env?: Record<string, string | undefined>;
}

const STDERR_KEEP = 16_384;

export class Connection {
  private readonly child: ResultPromise<{ stdin: 'pipe'; stdout: 'pipe'; stderr: 'pipe'; buffer: false; reject: false }>;
  private readonly pending = new Map<number, Pending>();
  private readonly progressListeners = new Set<(p: Progress) => void>();
  private nextId = 1;
  private stderrTail = '';
  private ended: ErrorData | null = null;
  private closing = false;
  /** Settles when the process has exited (never rejects). */
  readonly exited: Promise<void>;

  constructor(private readonly target: Spawnable) {
    this.child = execa(target.file, target.args, {
      stdin: 'pipe', stdout: 'pipe', stderr: 'pipe', buffer: false, reject: false,
      ...(target.env ? { env: target.env, extendEnv: true } : {})
    });
    // EPIPE after the process died is reported through its exit, not as a crash of the caller.
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => {
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_KEEP);
    });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    this.exited = this.child.then((r) => {
      const spawnError = r.failed && r.exitCode === undefined && r.signal === undefined ? errnoOf(r.cause) : undefined;
      this.finish(endedError({ remote: target.remote, agent: target.agent }, {
        exitCode: r.exitCode ?? null, signal: r.signal, stderr: this.stderrTail, spawnError
      }));
    });
  }

  get stderr(): string {
    return this.stderrTail;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  onProgress(fn: (p: Progress) => void): () => void {
    this.progressListeners.add(fn);
    return () => this.progressListeners.delete(fn);
  }

  private onLine(line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      return; // the interface puts nothing but JSON on stdout; a stray line is not ours to answer
    }
    for (const m of Array.isArray(msg) ? msg : [msg]) this.onMessage(m);
  }

  private onMessage(m: unknown): void {
    if (typeof m !== 'object' || m === null) return;
    const o = m as { id?: unknown; method?: unknown; params?: unknown; result?: unknown; error?: { data?: ErrorData; message?: string } };
    if (o.method === 'progress' && o.id === undefined) {
      const p = o.params as { requestId?: unknown; done?: unknown; total?: unknown } | undefined;
      const w = typeof p?.requestId === 'number' ? this.pending.get(p.requestId) : undefined;
      if (!w || typeof p?.done !== 'number' || typeof p.total !== 'number') return;
      const ev: Progress = { requestId: p.requestId as number, method: w.method, done: p.done, total: p.total };
      w.onProgress?.(ev);
      for (const fn of this.progressListeners) fn(ev);
      return;
    }
    if (typeof o.id !== 'number') return;
    const w = this.pending.get(o.id);
    if (!w) return;
    this.pending.delete(o.id);
    if (o.error !== undefined) {
      const data = o.error.data;
      w.resolve({ ok: false, error: data && typeof data.code === 'string' ? data : { code: 'INTERNAL', message: o.error.message ?? 'error without data (please report this)' } });
    } else w.resolve({ ok: true, value: o.result });
  }

  private finish(why: ErrorData): void {
    if (this.ended) return;
    this.ended = this.closing ? { code: 'CONNECT_FAILED', message: 'the connection is closed' } : why;
    const left = [...this.pending.values()];
    this.pending.clear();
    // Requests still open when the agent ended (it answers all of them before a clean exit).
    for (const w of left) w.resolve({ ok: false, error: why });
  }

  /** Send one request; its answer (or error value). Returns its id at once through `sent`. */
  request(method: string, params: unknown, opts: RequestOptions = {}, sent?: (id: number) => void): Promise<Result<unknown>> {
    if (this.ended || this.closing) return Promise.resolve({ ok: false, error: this.ended ?? { code: 'CONNECT_FAILED', message: 'the connection is closed' } });
    if (opts.signal?.aborted) return Promise.resolve({ ok: false, error: { code: 'CANCELLED', message: `${method} was cancelled before it was sent` } });
    const id = this.nextId++;
    const answer = new Promise<Result<unknown>>((resolve) => this.pending.set(id, { method, resolve, onProgress: opts.onProgress }));
    sent?.(id);
    const signal = opts.signal;
    if (signal) {
      const cancel = () => {
        if (this.pending.has(id)) void this.request('agent.cancel', { requestId: id });
      };
      signal.addEventListener('abort', cancel, { once: true });
      void answer.finally(() => signal.removeEventListener('abort', cancel));
    }
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params: params ?? {} })}\n`);
    return answer;
  }

  /** EOF to the agent: it finishes what is in flight (those requests still get answers), then exits. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.child.stdin.end();
    }
    await this.exited;
  }

  /** Stop at once (the process is killed; open requests answer CONNECT_FAILED). */
  kill(): void {
    this.child.kill('SIGKILL');
  }
}

function errnoOf(cause: unknown): string | undefined {
  if (typeof cause === 'object' && cause !== null && 'code' in cause) return String((cause as { code: unknown }).code);
  return cause === undefined ? undefined : String(cause);
}
