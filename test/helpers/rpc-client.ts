// A JSON-RPC client over a real `storage-agent serve` process, for tests.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BIN } from './paths.js';

export interface RpcReply {
  id?: unknown;
  result?: unknown;
  error?: { code: number; message: string; data: { code: string; message: string; [k: string]: unknown } };
  method?: string;
  params?: unknown;
}

export class AgentProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly notifications: RpcReply[] = [];
  readonly stdoutLines: string[] = [];
  stderr = '';
  private waiting = new Map<string, (r: RpcReply | RpcReply[]) => void>();
  private nextId = 1;
  readonly exited: Promise<number | null>;

  /** `extraFds`: descriptors the agent inherits as fd 3, 4, ... (as a careless parent may pass them). */
  constructor(home: string, env: NodeJS.ProcessEnv = {}, extraFds: (number | 'ignore')[] = []) {
    this.child = spawn(process.execPath, [BIN, '--home', home, 'serve'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe', ...extraFds] }) as ChildProcessWithoutNullStreams;
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((res) => this.child.on('exit', (code) => res(code)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      this.stdoutLines.push(line);
      const msg = JSON.parse(line) as RpcReply | RpcReply[];
      if (Array.isArray(msg)) {
        const key = JSON.stringify(msg.map((m) => m.id).sort());
        this.waiting.get(key)?.(msg);
        return;
      }
      if (msg.method) {
        this.notifications.push(msg);
        return;
      }
      const k = JSON.stringify(msg.id);
      const w = this.waiting.get(k);
      if (w) {
        this.waiting.delete(k);
        w(msg);
      }
    });
  }

  send(raw: string): void {
    this.child.stdin.write(raw.endsWith('\n') ? raw : `${raw}\n`);
  }

  /** Send raw text and wait for the response with this id. */
  expect(id: unknown, raw: string): Promise<RpcReply> {
    return new Promise((res) => {
      this.waiting.set(JSON.stringify(id), res as (r: RpcReply | RpcReply[]) => void);
      this.send(raw);
    });
  }

  call(method: string, params: object = {}): Promise<RpcReply> {
    const id = this.nextId++;
    return this.expect(id, JSON.stringify({ jsonrpc: '2.0', id, method, params }));
  }

  /** The result, or a thrown error naming the code (for steps that must succeed). */
  async ok<T = Record<string, unknown>>(method: string, params: object = {}): Promise<T> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method} failed: ${r.error.data.code} ${r.error.message}`);
    return r.result as T;
  }

  async code(method: string, params: object = {}): Promise<string> {
    const r = await this.call(method, params);
    return r.error ? r.error.data.code : 'ok';
  }

  batch(requests: object[]): Promise<RpcReply[]> {
    const ids = requests.map((r) => (r as { id?: unknown }).id).filter((x) => x !== undefined).sort();
    return new Promise((res) => {
      this.waiting.set(JSON.stringify(ids), res as (r: RpcReply | RpcReply[]) => void);
      this.send(JSON.stringify(requests));
    });
  }

  async close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
