// Shared by the fuzz and names suites: a raw JSON-RPC peer over one real `storage-agent serve`
// process (every stdout line kept, responses found by id), its memory, and snapshots of a temp
// tree (to prove nothing was created or changed outside a pool).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { BIN } from '../helpers/paths.js';

export type Msg = { jsonrpc?: unknown; id?: unknown; result?: unknown; error?: { code: number; message: string; data?: { code?: string; [k: string]: unknown } }; method?: string; params?: unknown };

/** Every spec error code (contracts/defs.json ErrorCode) and its JSON-RPC number (runner/errors.ts). */
export const SPEC_CODES: Record<string, number> = {
  INVALID_ARGUMENT: -32602, XML_ERROR: -32001, NO_POOL: -32002, NO_VOLUME: -32003, POOL_EXISTS: -32004,
  VOLUME_EXISTS: -32005, POOL_INACTIVE: -32006, POOL_ACTIVE: -32007, POOL_BUSY: -32008, NO_SPACE: -32009,
  ALREADY_BUILT: -32010, UNSUPPORTED: -32011, TOOL_MISSING: -32012, TOOL_FAILED: -32013, TIMEOUT: -32014,
  CONTRACT_VIOLATION: -32015, SANDBOX_DENIED: -32016, PERMISSION_DENIED: -32017, CONFLICT: -32018,
  CANCELLED: -32019, INTERNAL: -32603
};

export class RawAgent {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line, in order. */
  readonly lines: string[] = [];
  /** Lines that were not JSON (must stay empty). */
  readonly noise: string[] = [];
  /** Parsed messages not yet taken by a waiter. */
  readonly inbox: Msg[] = [];
  /** Batch answers (arrays), not yet taken. */
  readonly batches: Msg[][] = [];
  stderr = '';
  exitCode: number | null | undefined = undefined;
  readonly exited: Promise<number | null>;
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];

  /** `cwd`: the process's working directory (a temp dir, to see that no command ran a name). */
  constructor(home: string, opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
    this.child = spawn(process.execPath, [BIN, '--home', home, 'serve'], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    this.child.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 1 << 20) this.stderr += d.toString();
    });
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((res) =>
      this.child.on('exit', (code) => {
        this.exitCode = code;
        this.wake();
        res(code);
      })
    );
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (;;) {
        const nl = this.buf.indexOf(0x0a);
        if (nl === -1) break;
        const line = this.buf.subarray(0, nl).toString('utf8');
        this.buf = this.buf.subarray(nl + 1);
        this.take(line);
      }
      this.wake();
    });
  }

  get pid(): number {
    return this.child.pid as number;
  }

  private take(line: string) {
    this.lines.push(line);
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.noise.push(line.slice(0, 500));
      return;
    }
    if (Array.isArray(msg)) this.batches.push(msg as Msg[]);
    else if (msg && typeof msg === 'object') {
      if ((msg as Msg).method === 'progress' && !('id' in msg)) return; // progress notifications are allowed
      this.inbox.push(msg as Msg);
    } else this.noise.push(line.slice(0, 500));
  }

  private wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Write raw text (a line feed is added), waiting for the pipe to drain on big writes. */
  async send(text: string): Promise<void> {
    const ok = this.child.stdin.write(text.endsWith('\n') ? text : `${text}\n`);
    if (!ok) await new Promise<void>((res) => this.child.stdin.once('drain', () => res()));
  }

  /** Wait until `pred` holds (checked on every stdout chunk), or the timeout. */
  async until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (!pred()) {
      if (this.exitCode !== undefined) return pred();
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((res) => {
        const timer = setTimeout(res, Math.min(left, 1000));
        this.waiters.push(() => {
          clearTimeout(timer);
          res();
        });
      });
    }
    return true;
  }

  /** Take the single response with this id from the inbox (waiting for it). */
  async response(id: string | number, timeoutMs = 60_000): Promise<Msg | null> {
    const find = () => this.inbox.findIndex((m) => m.id === id);
    if (!(await this.until(() => find() !== -1, timeoutMs))) return null;
    return this.inbox.splice(find(), 1)[0] ?? null;
  }

  private seq = 0;
  /** A well-formed call with a fresh string id; its response (or null on timeout). */
  async call(method: string, params: unknown = {}, timeoutMs = 60_000): Promise<Msg | null> {
    const id = `c${++this.seq}-${process.pid}`;
    await this.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }));
    return this.response(id, timeoutMs);
  }

  /** The data.code of a call's error, or 'ok'. */
  async code(method: string, params: unknown = {}): Promise<string> {
    const r = await this.call(method, params);
    if (!r) return 'TIMEOUT(no answer)';
    return r.error ? String(r.error.data?.code) : 'ok';
  }

  async ok<T>(method: string, params: unknown = {}): Promise<T> {
    const r = await this.call(method, params);
    if (!r) throw new Error(`${method}: no answer`);
    if (r.error) throw new Error(`${method} failed: ${r.error.data?.code} ${r.error.message}`);
    return r.result as T;
  }

  /** Resident memory of the serve process, in KiB (/proc/PID/status VmRSS). */
  rssKiB(): number {
    try {
      const m = /VmRSS:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) : NaN;
    } catch {
      return NaN; // the process is gone
    }
  }

  async close(): Promise<number | null> {
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

/** One entry of a tree snapshot: type, mode, size, mtime and a content hash for small files. */
export type Snapshot = Map<string, string>;

/** Everything under `root` (not following symlinks), skipping the subtrees in `skip`. */
export function snapshot(root: string, skip: readonly string[] = []): Snapshot {
  const out: Snapshot = new Map();
  const walk = (dir: string) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (skip.includes(p)) continue;
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      let desc = `${st.mode.toString(8)} ${st.size} ${st.mtimeMs}`;
      if (st.isSymbolicLink()) desc += ` -> ${readlinkSync(p)}`;
      else if (st.isFile() && st.size <= 1 << 20) desc += ` ${createHash('sha256').update(readFileSync(p)).digest('hex').slice(0, 16)}`;
      out.set(p, desc);
      if (st.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out;
}

/** Differences between two snapshots, as readable lines (empty when equal). */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const d: string[] = [];
  for (const [p, v] of before) {
    const w = after.get(p);
    if (w === undefined) d.push(`removed ${p}`);
    else if (w !== v) d.push(`changed ${p}: ${v} => ${w}`);
  }
  for (const p of after.keys()) if (!before.has(p)) d.push(`created ${p}`);
  return d;
}

/** Processes whose parent is `pid` (to check nothing is left running). */
export function childPids(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return r.stdout.split('\n').map((s) => Number(s.trim())).filter((n) => n > 0);
}
