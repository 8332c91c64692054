// The one place the agent starts a process. argv arrays only (execa, never a shell), a fixed PATH
// and LC_ALL=C so tools answer the same way whoever runs the agent, a timeout that kills the whole
// process group (tools fork helpers), an output cap, and cancellation by AbortSignal.
import { closeSync, readdirSync, readFileSync } from 'node:fs';
import type { CommandResult } from '../scriptlet/api.js';

// execa is loaded on the first command: importing it costs more than a whole one-shot call that
// runs no tool (pool-list on a dir pool), so it is not paid up front.
let execaModule: Promise<typeof import('execa')> | null = null;
const loadExeca = () => (execaModule ??= import('execa'));

/** Where declared binaries are looked up; nothing from the caller's PATH. */
export const FIXED_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_TIMEOUT_MS = 120_000;
export const OUTPUT_CAP = 16 * 1024 * 1024;

/**
 * A command's time limit when its scriptlet sets none: STORAGE_AGENT_TIMEOUT_MS (a positive whole
 * number of milliseconds) if set, else DEFAULT_TIMEOUT_MS. Tests shorten it to see hangs killed.
 */
export function defaultTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const v = Number(env['STORAGE_AGENT_TIMEOUT_MS']);
  return Number.isSafeInteger(v) && v > 0 ? v : DEFAULT_TIMEOUT_MS;
}

export interface RunOptions {
  stdin?: string | undefined;
  timeoutMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Called with each chunk of stdout as it arrives (progress parsing). */
  onStdout?: ((chunk: string) => void) | undefined;
  /** Extra environment on top of LC_ALL=C and the fixed PATH (tests point PATH at fake tools). */
  env?: Record<string, string> | undefined;
  /**
   * Pool files opened for the command (runner/exec/pin-files.ts): it runs `argv` instead, with
   * `fds` as its descriptors 3, 4, ...; the result keeps the caller's argv.
   */
  pinned?: { argv: readonly string[]; fds: readonly number[] } | undefined;
}

const O_CLOEXEC = 0o2000000;
let inheritedClosed = false;

/**
 * Close the descriptors beyond 0-2 that this process inherited, once, before it starts any child.
 * Node opens all of its own descriptors close-on-exec, so one without that flag was left open by
 * whoever started the agent (a shell, a test harness, a supervisor). Kept, it would reach every
 * tool the agent runs and the sandbox ("File descriptor 251 (pipe:[...]) leaked on lvm
 * invocation"), and hold the parent's pipe or file open for as long as they live. Node cannot
 * set close-on-exec on a descriptor, so they are closed: the agent never uses them. The IPC
 * channel, when there is one, is kept. Returns the descriptors closed.
 */
export function closeInheritedDescriptors(): number[] {
  if (inheritedClosed) return [];
  inheritedClosed = true;
  const keep = new Set([0, 1, 2]);
  const channelFd = (process as { channel?: { fd?: unknown } }).channel?.fd;
  if (typeof channelFd === 'number') keep.add(channelFd);
  let names: string[];
  try {
    names = readdirSync('/proc/self/fd');
  } catch {
    return []; // No /proc: nothing to learn the flags from.
  }
  const closed: number[] = [];
  for (const n of names) {
    const fd = Number(n);
    if (!Number.isSafeInteger(fd) || keep.has(fd)) continue;
    let flags: number;
    try {
      const m = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
      if (!m?.[1]) continue;
      flags = Number.parseInt(m[1], 8);
    } catch {
      continue; // The directory handle of the listing itself, closed by now.
    }
    if (flags & O_CLOEXEC) continue;
    try {
      closeSync(fd);
      closed.push(fd);
    } catch {
      // Not ours to close after all.
    }
  }
  return closed;
}

/**
 * After a kill, how long to wait for the tool's output to close. A process that left the tool's
 * process group (setsid) survives the kill and may hold stdout open for as long as it likes: the
 * pipes are then closed on our side, so a timeout always ends the wait.
 */
export const KILL_GRACE_MS = 500;

export async function runCommand(file: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? defaultTimeoutMs();
  closeInheritedDescriptors();
  const { execa } = await loadExeca();
  const run = opts.pinned?.argv ?? argv;
  const child = execa(file, run.slice(1), {
    shell: false,
    reject: false,
    extendEnv: false,
    env: { LC_ALL: 'C', LANG: 'C', PATH: FIXED_PATH, ...opts.env },
    input: opts.stdin,
    // Descriptors 0-2, and only the pool files opened for this command beyond them.
    // (execa's types name descriptor numbers 3-9 only; any open descriptor works.)
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...((opts.pinned?.fds ?? []) as readonly 3[])],
    // Own process group, so a timeout or cancel kills the tool's children too.
    detached: true,
    cleanup: true,
    maxBuffer: OUTPUT_CAP,
    stripFinalNewline: false,
    encoding: 'utf8'
  });
  let timedOut = false;
  let killedByAbort = false;
  let grace: NodeJS.Timeout | undefined;
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    grace ??= setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  const onAbort = () => {
    killedByAbort = true;
    killGroup();
  };
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  if (opts.onStdout && child.stdout) child.stdout.on('data', (d: Buffer | string) => opts.onStdout?.(String(d)));
  try {
    const r = await child;
    const truncated = Boolean((r as { isMaxBuffer?: boolean }).isMaxBuffer);
    if (truncated) killGroup();
    const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
    const signal = r.signal ?? null;
    return {
      argv: [...argv],
      exitCode,
      signal,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : errnoText(r),
      // Output cut at the cap is not the tool's answer, whatever its exit code: never parse it.
      failed: exitCode !== 0 || timedOut || killedByAbort || truncated,
      timedOut,
      truncated
    };
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

// execa reports spawn failures (ENOENT, EACCES) without stderr: keep the cause for the caller.
function errnoText(r: unknown): string {
  const cause = (r as { cause?: { message?: string } }).cause;
  return cause?.message ?? '';
}
