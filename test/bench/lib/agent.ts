// `storage-agent serve` as a JSON-RPC 2.0 client: one request per line on stdin, one response
// per line on stdout, matched by id (spec: /work/shared/spec/interface.md). Notifications
// (no id, e.g. `progress`) are ignored. The agent's home is given by STORAGE_AGENT_HOME, so it
// never touches the real one.

import { execa, type ResultPromise } from 'execa';
import { stopPid } from './cleanup.js';

export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly data: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

interface Waiter {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export const AGENT_BIN = 'bin/storage-agent';

export class AgentSession {
  private readonly child: ResultPromise;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private lineBuf = '';
  private exited = false;
  private closing = false;
  private stderrTail = '';
  private readonly done: Promise<unknown>;
  readonly pid: number;

  /** `timeoutMs`: a request without an answer by then fails (the run must not hang). */
  /**
   * `nodeArgs` (e.g. `--cpu-prof`): run the launcher through this node with these options
   * instead of by its shebang; the serve process is the same.
   */
  constructor(agentBin: string, home: string, private readonly timeoutMs = 300_000, nodeArgs: readonly string[] = []) {
    const [file, args] = nodeArgs.length ? [process.execPath, [...nodeArgs, agentBin, 'serve']] : [agentBin, ['serve']];
    this.child = execa(file, args, {
      env: { STORAGE_AGENT_HOME: home, LC_ALL: 'C' },
      extendEnv: true,
      stdin: 'pipe',
      buffer: false,
      reject: false,
    });
    if (this.child.pid === undefined) throw new Error(`could not spawn ${agentBin} serve`);
    this.pid = this.child.pid;
    // EPIPE when the agent died: reported through the exit handler below, not as a crash.
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (c: string) => this.onData(c));
    this.child.stderr!.on('data', (c: string) => {
      this.stderrTail = (this.stderrTail + c).slice(-8192);
    });
    this.done = this.child.then((r) => {
      this.exited = true;
      const why = new Error(`storage-agent serve exited (code ${r.exitCode ?? r.signal}); stderr: ${this.stderrTail.trim()}`);
      for (const w of this.waiting.values()) w.reject(why);
      this.waiting.clear();
      return r;
    });
  }

  get stderr(): string {
    return this.stderrTail;
  }

  private onData(chunk: string): void {
    this.lineBuf += chunk;
    let nl: number;
    while ((nl = this.lineBuf.indexOf('\n')) >= 0) {
      const line = this.lineBuf.slice(0, nl);
      this.lineBuf = this.lineBuf.slice(nl + 1);
      if (line.trim() === '') continue;
      let msg: unknown;
      try {
        msg = JSON.parse(line);
      } catch {
        this.failAll(new Error(`storage-agent wrote a non-JSON line on stdout: ${line.slice(0, 200)}`));
        continue;
      }
      for (const m of Array.isArray(msg) ? msg : [msg]) this.onMessage(m);
    }
  }

  private onMessage(m: any): void {
    if (m === null || typeof m !== 'object') return;
    if (m.id === null && m.error) {
      // The agent could not tell which request failed (e.g. unparsable): fail all waiting ones.
      this.failAll(new RpcError('(unknown request)', m.error.code, m.error.data, `error without request id: ${m.error.data?.code ?? m.error.code}: ${m.error.message}`));
      return;
    }
    if (m.id === undefined || m.id === null) return; // notification (e.g. progress)
    const w = this.waiting.get(m.id);
    if (!w) {
      this.failAll(new Error(`response with unknown id ${JSON.stringify(m.id)}`));
      return;
    }
    this.waiting.delete(m.id);
    if (m.error) {
      const code = m.error.data?.code ?? m.error.code;
      w.reject(new RpcError(w.method, m.error.code, m.error.data, `${w.method}: ${code}: ${m.error.message}`));
    } else if ('result' in m) {
      w.resolve(m.result);
    } else {
      w.reject(new Error(`${w.method}: response without result or error: ${JSON.stringify(m).slice(0, 200)}`));
    }
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  call<T = any>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    if (this.exited || this.closing) return Promise.reject(new Error('storage-agent serve is not running'));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.waiting.delete(id)) reject(new Error(`${method}: no answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      timer.unref();
      const settle = <A>(f: (a: A) => void) => (a: A) => {
        clearTimeout(timer);
        f(a);
      };
      this.waiting.set(id, { method, resolve: settle(resolve as (v: unknown) => void), reject: settle(reject) });
      this.child.stdin!.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }

  /** EOF on stdin (the agent finishes in-flight work and exits 0); killed by PID after 10 s. */
  async close(): Promise<void> {
    if (!this.exited && !this.closing) {
      this.closing = true;
      this.child.stdin!.end();
      const timeout = new Promise((res) => setTimeout(res, 10000).unref());
      await Promise.race([this.done, timeout]);
    }
    if (!this.exited) await stopPid(this.pid, this.done);
    await this.done;
  }
}
