// The runner's side of the sandbox: one long-lived child process (started on first use, so serve
// mode pays one process start, not one per request), many concurrent runs multiplexed by id.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';
import type { FromChild, RunContextInfo, ToChild, WireCommandOptions } from './protocol.js';
import type { CommandResult, FsResult, ScriptletResult } from '../scriptlet/api.js';
import type { FsOpName } from '../exec/pool-fs.js';
import { closeInheritedDescriptors } from '../exec/run-command.js';

export interface RunHandlers {
  /** `onStdout` is given when the scriptlet reads the command's output as it arrives. */
  exec(argv: string[], options: WireCommandOptions, mutating: boolean, onStdout?: (chunk: string) => void): Promise<CommandResult>;
  fs(op: FsOpName, args: unknown[]): Promise<FsResult<unknown>>;
  progress(done: number, total: number): void;
}

interface Pending {
  token: string;
  handlers: RunHandlers;
  resolve: (r: ScriptletResult<unknown>) => void;
  timer: NodeJS.Timeout;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The compiled tree (dist/): the only thing the sandbox may read. */
export const DIST_ROOT = resolve(here, '..', '..');

export const DEFAULT_RUN_TIMEOUT_MS = 6 * 60 * 60 * 1000;
/**
 * How long the sandbox may go without answering a ping while runs are in flight. Scriptlet code
 * only builds argv and parses output: a sandbox that cannot answer for this long is blocked (a
 * busy loop, a regular expression backtracking on odd tool output, Atomics.wait) and every run in
 * it would wait for the run timeout. It is killed instead, and started again on the next run.
 */
export const DEFAULT_STALL_MS = 30_000;
const PING_MS = 1000;
export const SANDBOX_HEAP_MIB = 1024;

const envMs = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isSafeInteger(v) && v > 0 ? v : fallback;
};
/** A run's time limit: STORAGE_AGENT_RUN_TIMEOUT_MS, else DEFAULT_RUN_TIMEOUT_MS. */
export const runTimeoutMs = (): number => envMs('STORAGE_AGENT_RUN_TIMEOUT_MS', DEFAULT_RUN_TIMEOUT_MS);
/** STORAGE_AGENT_SANDBOX_STALL_MS, else DEFAULT_STALL_MS. */
export const stallMs = (): number => envMs('STORAGE_AGENT_SANDBOX_STALL_MS', DEFAULT_STALL_MS);

export class SandboxHost {
  private child: ChildProcess | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 1;
  private pinger: NodeJS.Timeout | null = null;
  private lastPong = 0;
  private pingN = 0;
  /** Messages dropped because their run token was wrong (forged, or for a run that is over). */
  forgedMessages = 0;

  constructor(private readonly roots: readonly string[] = [DIST_ROOT]) {}

  /** Start the sandbox now, so its start-up overlaps the caller's own (one-shot CLI calls). */
  warm(): void {
    this.start();
  }

  private start(): ChildProcess {
    if (this.child) return this.child;
    // The sandbox inherits nothing of the agent's but its stdio and the IPC channel.
    closeInheritedDescriptors();
    // One flag per root: Node 20 honours the wildcard of only the first path of a comma list
    // (`--allow-fs-read=/a/*,/b/*` refuses /b/x), so a second root was unreadable.
    const readable = this.roots.map((r) => `--allow-fs-read=${resolve(r)}/*`);
    // Started through env(1) so that no NODE_OPTIONS reaches it, whoever wraps child processes
    // (test harnesses inject --import hooks that the permission model would refuse to load).
    // The heap is capped: a scriptlet hoarding memory kills the sandbox (its runs fail, the next
    // run starts a new one), not the host. Real scriptlets parse at most 2 x 16 MiB of output.
    const nodeArgs = ['--experimental-permission', ...readable, '--no-warnings', '--disallow-code-generation-from-strings', `--max-old-space-size=${SANDBOX_HEAP_MIB}`];
    const child = spawn('/usr/bin/env', ['-u', 'NODE_OPTIONS', process.execPath, ...nodeArgs, join(here, 'child.js'), ...this.roots.map((r) => resolve(r))], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      serialization: 'json',
      env: { LC_ALL: 'C' }
    });
    child.on('message', (m: FromChild) => this.onMessage(m));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return; // Replaced already (killed for a stall or a run timeout).
      this.child = null;
      this.failAll('INTERNAL', `the sandbox process exited (${signal ?? `code ${code}`})`);
    });
    child.on('error', () => undefined);
    // The agent must be able to exit while the sandbox idles.
    child.unref();
    (child as unknown as { channel?: { unref(): void } }).channel?.unref();
    this.child = child;
    return child;
  }

  private failAll(code: 'INTERNAL' | 'TIMEOUT', message: string) {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.resolve({ ok: false, error: { code, message } });
    }
    this.refCount();
  }

  /** Kill the sandbox now: the runs in it fail with `code`, the next run starts a new one. */
  private replace(code: 'INTERNAL' | 'TIMEOUT', message: string) {
    const c = this.child;
    this.child = null;
    if (c && c.exitCode === null) c.kill('SIGKILL');
    this.failAll(code, message);
  }

  private send(m: ToChild) {
    this.child?.send(m);
  }

  private onMessage(m: FromChild) {
    if (m.t === 'ready') return;
    if (m.t === 'pong') {
      this.lastPong = Date.now();
      return;
    }
    const p = this.pending.get(m.id);
    if (!p || m.token !== p.token) {
      this.forgedMessages++;
      return;
    }
    switch (m.t) {
      case 'exec':
        {
          const stream = m.options?.stream === true ? (chunk: string) => this.send({ t: 'stdout', id: m.id, token: p.token, callId: m.callId, chunk }) : undefined;
          void p.handlers.exec(m.argv, m.options ?? {}, m.mutating, stream).then((result) => this.send({ t: 'execResult', id: m.id, token: p.token, callId: m.callId, result }));
        }
        break;
      case 'fs':
        void p.handlers.fs(m.op, Array.isArray(m.args) ? m.args : []).then((result) => this.send({ t: 'fsResult', id: m.id, token: p.token, callId: m.callId, result }));
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

  /** Keep the event loop alive only while runs are in flight; watch for a stall meanwhile. */
  private refCount() {
    const ch = this.child as unknown as { channel?: { ref(): void; unref(): void } } | null;
    if (this.pending.size > 0) {
      ch?.channel?.ref();
      if (!this.pinger) {
        this.lastPong = Date.now();
        const limit = stallMs();
        this.pinger = setInterval(() => this.ping(limit), Math.min(PING_MS, limit));
        this.pinger.unref();
      }
    } else {
      ch?.channel?.unref();
      if (this.pinger) clearInterval(this.pinger);
      this.pinger = null;
    }
  }

  private ping(limit: number) {
    if (Date.now() - this.lastPong > limit) {
      this.replace('TIMEOUT', `the sandbox stopped answering for over ${limit} ms (a scriptlet blocked it) and was killed`);
      return;
    }
    try {
      this.send({ t: 'ping', n: ++this.pingN });
    } catch {
      // Exiting: the exit handler fails the runs.
    }
  }

  run(module: string, input: unknown, ctx: RunContextInfo, handlers: RunHandlers, timeoutMs = runTimeoutMs()): Promise<ScriptletResult<unknown>> {
    this.start();
    const id = this.nextId++;
    const token = randomBytes(16).toString('hex');
    return new Promise((resolvePromise) => {
      const timer = setTimeout(() => {
        // A scriptlet that never answers may be spinning, or may have left work running in the
        // shared sandbox: the sandbox is replaced (the other runs in it fail too).
        this.pending.delete(id);
        resolvePromise({ ok: false, error: { code: 'TIMEOUT', message: `scriptlet ${module} did not finish within ${timeoutMs} ms` } });
        this.replace('INTERNAL', `the sandbox was restarted: scriptlet ${module} ran past its time limit beside this run`);
      }, timeoutMs);
      this.pending.set(id, { token, handlers, resolve: resolvePromise, timer });
      this.refCount();
      this.send({ t: 'run', id, token, module, input, ctx });
    });
  }

  close() {
    this.replace('INTERNAL', 'the sandbox was closed');
  }
}
