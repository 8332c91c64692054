// A `storage-agent serve` process for the crash and race suites: requests by id, a reply that may
// never come (the process is killed), kill -9, the process tree it started, and checks of what an
// agent leaves in its home (definitions, temp files, lock files) and in a dir pool.
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../helpers/paths.js';
import { parsePoolXml } from '../../runner/xml/pool-xml.js';

/**
 * The partial-name prefix of volumes being made (runner/scriptlet/api.ts PARTIAL_PREFIX), spelt
 * out here so the checks do not lean on the code they check.
 */
export const PARTIAL_PREFIX = '.sa-partial-';
export const partialOf = (name: string): string => `${PARTIAL_PREFIX}${name}`;

/** Is a process with this PID running (or a zombie not yet reaped)? */
export function pidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

export interface Reply {
  id?: unknown;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: { code: string; message: string } };
}

export const codeOf = (r: Reply): string => (r.error ? (r.error.data?.code ?? `rpc${r.error.code}`) : 'ok');

export class Agent {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  stderr = '';
  /** stdout lines that are not JSON (must stay empty: nothing but responses goes to stdout). */
  readonly junk: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private buf = '';
  private nextId = 1;
  private waiting = new Map<number, (r: Reply) => void>();

  constructor(readonly home: string, env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, [BIN, '--home', home, 'serve'], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.pid = this.child.pid as number;
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => {
      if (this.stderr.length < 1 << 20) this.stderr += d;
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        this.line(line);
      }
    });
    // Writes to a killed agent fail with EPIPE: that is expected here.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((res) => this.child.on('exit', (code, signal) => res({ code, signal })));
  }

  private line(line: string) {
    let msg: Reply & { method?: string };
    try {
      msg = JSON.parse(line) as Reply & { method?: string };
    } catch {
      this.junk.push(line);
      return;
    }
    if (msg.method !== undefined && msg.id === undefined) return; // progress notification
    const w = typeof msg.id === 'number' ? this.waiting.get(msg.id) : undefined;
    if (!w) {
      this.junk.push(line);
      return;
    }
    this.waiting.delete(msg.id as number);
    w(msg);
  }

  /** Write one request line; the reply, or null if the agent exits first. */
  send(method: string, params: object): { written: Promise<void>; reply: Promise<Reply | null> } {
    const id = this.nextId++;
    const reply = new Promise<Reply | null>((res) => {
      this.waiting.set(id, res);
      void this.exited.then(() => {
        if (this.waiting.delete(id)) res(null);
      });
    });
    const written = new Promise<void>((res) => {
      this.child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`, () => res());
    });
    return { written, reply };
  }

  async call(method: string, params: object = {}): Promise<Reply> {
    const r = await this.send(method, params).reply;
    if (!r) throw new Error(`agent ${this.pid} exited before answering ${method}; stderr: ${this.stderr.slice(-2000)}`);
    return r;
  }

  async ok<T = Record<string, unknown>>(method: string, params: object = {}): Promise<T> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method} ${JSON.stringify(params)} failed: ${codeOf(r)} ${r.error.data?.message ?? r.error.message}`);
    return r.result as T;
  }

  /** The agent's process and every process under it (sandbox, tools), by /proc. */
  tree(): number[] {
    return processTree(this.pid);
  }

  kill9(): void {
    try {
      process.kill(this.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }

  async close(): Promise<void> {
    this.child.stdin.end();
    const t = setTimeout(() => this.kill9(), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}

export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(e), Number(rest[1]));
    } catch {
      // Exited meanwhile.
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  }
  return out.filter((p) => parent.has(p));
}

export function alive(pid: number): boolean {
  try {
    // A zombie is dead for our purposes.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Wait until none of these processes is alive; the ones still alive after `ms`. */
export async function waitGone(pids: number[], ms: number): Promise<number[]> {
  const end = Date.now() + ms;
  let left = pids.filter(alive);
  while (left.length && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    left = left.filter(alive);
  }
  return left;
}

export interface HomeCheck {
  /** Definitions (NAME.xml) that do not parse as a whole pool named NAME. */
  torn: string[];
  /** Pools by name: their parsed target path. */
  pools: Map<string, { uuid: string; target: string | undefined }>;
  /** Atomic-write temp files (.NAME.PID.RAND.tmp) and what process wrote them. */
  temps: { file: string; pid: number }[];
  /** State files that do not parse as JSON. */
  badState: string[];
  /** Anything else in the pools directory. */
  strange: string[];
}

export function checkHome(home: string): HomeCheck {
  const dir = join(home, 'pools');
  const out: HomeCheck = { torn: [], pools: new Map(), temps: [], badState: [], strange: [] };
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    const tmp = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(f);
    if (tmp) {
      out.temps.push({ file: f, pid: Number(tmp[1]) });
    } else if (f.endsWith('.state.json')) {
      try {
        JSON.parse(readFileSync(p, 'utf8'));
      } catch {
        out.badState.push(f);
      }
    } else if (f.endsWith('.xml')) {
      const name = f.slice(0, -4);
      const parsed = parsePoolXml(readFileSync(p, 'utf8'));
      if (!parsed.ok || parsed.value.name !== name) out.torn.push(f);
      else out.pools.set(name, { uuid: parsed.value.uuid, target: parsed.value.target?.path });
    } else {
      out.strange.push(f);
    }
  }
  return out;
}

/** Lock files and shared-holder files in the home, with the PID that owns each. */
export function lockOwners(home: string): { file: string; pid: number | null }[] {
  const dir = join(home, 'locks');
  const out: { file: string; pid: number | null }[] = [];
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (f.endsWith('.shared')) {
      for (const h of readdirSync(p)) out.push({ file: `${f}/${h}`, pid: Number.parseInt(h, 10) });
      continue;
    }
    let content = '';
    try {
      content = readFileSync(p, 'utf8');
    } catch {
      continue;
    }
    const pid = Number.parseInt(content.split(':')[0] ?? '', 10);
    out.push({ file: f, pid: Number.isSafeInteger(pid) ? pid : null });
  }
  return out;
}

export interface ImageInfo {
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
}

export function qemuInfo(path: string): ImageInfo | null {
  try {
    return JSON.parse(execFileSync('qemu-img', ['info', '-U', '--output=json', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })) as ImageInfo;
  } catch {
    return null;
  }
}

/** `qemu-img check` of an image format that has metadata to check; true for raw. */
export function qemuCheck(path: string, format: string): boolean {
  if (format === 'raw') return true;
  try {
    execFileSync('qemu-img', ['check', '-U', '-f', format, path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Same guest-visible content? (`qemu-img compare`, exit 0) */
export function qemuSame(a: string, aFormat: string, b: string, bFormat: string): boolean {
  try {
    execFileSync('qemu-img', ['compare', '-U', '-f', aFormat, '-F', bFormat, a, b], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const partials = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith(PARTIAL_PREFIX));
export const volumeFiles = (dir: string): string[] => readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
export const isFile = (p: string): boolean => {
  try {
    return lstatSync(p).isFile();
  } catch {
    return false;
  }
};

/** A small seeded PRNG (mulberry32), so a failing run can be replayed with its seed. */
export { rng } from '../helpers/seeds.js';
