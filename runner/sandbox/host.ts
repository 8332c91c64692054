// The runner's side of the sandbox: one long-lived child process (started on first use, so serve
// mode pays one process start, not one per request), many concurrent runs multiplexed by id.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type { FromChild, RunContextInfo, ToChild } from './protocol.js';
import type { CommandOptions, CommandResult, FsResult, ScriptletResult } from '../scriptlet/api.js';
import type { FsOpName } from '../exec/pool-fs.js';

export interface RunHandlers {
  exec(argv: string[], options: CommandOptions, mutating: boolean): Promise<CommandResult>;
  fs(op: FsOpName, args: unknown[]): Promise<FsResult<unknown>>;
  progress(done: number, total: number): void;
}

interface Pending {
  handlers: RunHandlers;
  resolve: (r: ScriptletResult<unknown>) => void;
  timer: NodeJS.Timeout;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled tree (dist/): the only thing the sandbox may read. */
export const DIST_ROOT = resolve(here, '..', '..');

export const DEFAULT_RUN_TIMEOUT_MS = 6 * 60 * 60 * 1000;

export class SandboxHost {
  private child: ChildProcess | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 1;

  constructor(private readonly roots: readonly string[] = [DIST_ROOT]) {}

  /** Start the sandbox now, so its start-up overlaps the caller's own (one-shot CLI calls). */
  warm(): void {
    this.start();
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    const readable = this.roots.map((r) => `${resolve(r)}/*`).join(',');
    // Started through env(1) so that no NODE_OPTIONS reaches it, whoever wraps child processes
    // (test harnesses inject --import hooks that the permission model would refuse to load).
    const nodeArgs = ['--experimental-permission', `--allow-fs-read=${readable}`, '--no-warnings', '--disallow-code-generation-from-strings'];
    const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, ...nodeArgs, join(here, 'child.js'), ...this.roots.map((r) => resolve(r))], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
      env: { LC_ALL: 'C' }
    });
    child.on('message', (m: FromChild) => this.onMessage(m));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      this.failAll(`the sandbox process exited (${signal ?? `code ${code}`})`);
    });
    child.on('error', () => undefined);
    // The agent must be able to exit while the sandbox idles.
    child.unref();
    (child as unknown as { channel?: { unref(): void } }).channel?.unref();
    this.child = child;
    return child;
  }

  private failAll(message: string) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve({ ok: false, error: { code: 'INTERNAL', message } });
    }
  }

  private send(m: ToChild) {
    this.child?.send(m);
  }

  private onMessage(m: FromChild) {
    if (m.t === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    switch (m.t) {
      case 'exec':
        void p.handlers.exec(m.argv, m.options ?? {}, m.mutating).then((result) => this.send({ t: 'execResult', id: m.id, callId: m.callId, result }));
        break;
      case 'fs':
        void p.handlers.fs(m.op, Array.isArray(m.args) ? m.args : []).then((result) => this.send({ t: 'fsResult', id: m.id, callId: m.callId, result }));
        break;
      case 'progress':
        if (Number.isFinite(m.done) && Number.isFinite(m.total)) p.handlers.progress(m.done, m.total);
        break;
      case 'done':
        clearTimeout(p.timer);
        this.pending.delete(m.id);
        this.refCount();
        p.resolve(m.result);
        break;
    }
  }

  /** Keep the event loop alive only while runs are in flight. */
  private refCount() {
    const ch = this.child as unknown as { channel?: { ref(): void; unref(): void } } | null;
    if (!ch?.channel) return;
    if (this.pending.size > 0) ch.channel.ref();
    else ch.channel.unref();
  }

  run(module: string, input: unknown, ctx: RunContextInfo, handlers: RunHandlers, timeoutMs = DEFAULT_RUN_TIMEOUT_MS): Promise<ScriptletResult<unknown>> {
    const child = this.start();
    const id = this.nextId++;
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => {
        // A scriptlet that never answers may be spinning: the sandbox is replaced.
        this.pending.delete(id);
        resolvePromise({ ok: false, error: { code: 'TIMEOUT', message: `scriptlet ${module} did not finish within ${timeoutMs} ms` } });
        child.kill('SIGKILL');
      }, timeoutMs);
      this.pending.set(id, { handlers, resolve: resolvePromise, timer });
      this.refCount();
      this.send({ t: 'run', id, module, input, ctx });
    });
  }

  close() {
    const c = this.child;
    this.child = null;
    this.failAll('the sandbox was closed');
    if (c && c.exitCode === null) c.kill('SIGKILL');
  }
}
