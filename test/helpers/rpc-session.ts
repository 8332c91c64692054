// A JSON-RPC session with a real `storage-agent serve` process: one request per line on its
// stdin, responses matched by id from its stdout. Every stdout line must be JSON (the interface
// says nothing else is ever written there): other lines are kept in `junk` for the test to check.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { ErrorData } from '../../runner/errors.js';
import { BIN } from './paths.js';

type Teardown = { teardown(fn: () => void | Promise<void>): void };

export interface RpcReply {
  id: number;
  result?: unknown;
  error?: { code: number; message: string; data: ErrorData };
}

export class RpcSession {
  readonly junk: string[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  stderr = '';
  private nextId = 1;
  private readonly waiting = new Map<number, (r: RpcReply) => void>();
  private readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (this.stderr += d));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg: { id?: unknown; method?: string; params?: unknown };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        this.junk.push(line);
        return;
      }
      if (typeof msg.method === 'string' && msg.id === undefined) {
        this.notifications.push({ method: msg.method, params: msg.params });
        return;
      }
      const w = typeof msg.id === 'number' ? this.waiting.get(msg.id) : undefined;
      if (!w) {
        this.junk.push(line);
        return;
      }
      this.waiting.delete(msg.id as number);
      w(msg as RpcReply);
    });
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /**
   * `storage-agent --home HOME serve`, stopped (stdin closed, then killed if need be) at teardown.
   * `extraEnv` is added after the test runner's own variables are removed (record mode, say).
   */
  static start(t: Teardown, home: string, extraEnv: Record<string, string> = {}): RpcSession {
    const env = { ...process.env };
    // The agent as a user runs it: no record mode, and none of the test runner's loaders (tap's
    // process-info hook puts them back into NODE_OPTIONS of every child it sees spawned, hence
    // env -u: the agent's node is started by env, past the hook).
    for (const k of Object.keys(env)) if (k.startsWith('STORAGE_AGENT_') || /^_?TAP/.test(k)) delete env[k];
    Object.assign(env, extraEnv);
    const child = spawn('env', ['-u', 'NODE_OPTIONS', process.execPath, BIN, '--home', home, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'], env });
    const s = new RpcSession(child);
    t.teardown(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.stdin.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await s.exited;
        clearTimeout(timer);
      }
    });
    return s;
  }

  call(method: string, params?: object): Promise<RpcReply> {
    const id = this.nextId++;
    const p = new Promise<RpcReply>((resolve, reject) => {
      this.waiting.set(id, resolve);
      void this.exited.then((code) => {
        if (this.waiting.delete(id)) reject(new Error(`storage-agent serve exited (${code}) before answering ${method}: ${this.stderr.slice(-500)}`));
      });
    });
    this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, ...(params ? { params } : {}) })}\n`);
    return p;
  }

  /** The result, or a thrown error naming the code and message. */
  async ok<T = Record<string, unknown>>(method: string, params?: object): Promise<T> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method}: ${r.error.data?.code ?? r.error.code}: ${r.error.message}`);
    return r.result as T;
  }

  /** The error's data (code, message, tool context), or a thrown error if the call succeeded. */
  async fails(method: string, params?: object): Promise<ErrorData> {
    const r = await this.call(method, params);
    if (!r.error) throw new Error(`${method} succeeded, an error was expected: ${JSON.stringify(r.result).slice(0, 300)}`);
    return r.error.data;
  }

  /** Close stdin (EOF): the agent finishes and exits; its exit code. */
  async close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
