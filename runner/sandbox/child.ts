// The sandbox process. It runs under Node's permission model with read access to the compiled
// code only: it cannot spawn processes, write files, or read the agent's state. Scriptlet code
// reaches the machine only by asking the runner, which checks every request.
import { pathToFileURL } from 'node:url';
import { dirname, resolve, sep } from 'node:path';
import { readFileSync } from 'node:fs';
import { harden, importedSpecifiers } from './harden.js';
import type { ToChild, FromChild, RunContextInfo } from './protocol.js';
import { shellOver } from '../scriptlet/api.js';
import type {
  CommandOptions, CommandResult, FsResult, PoolFs, ScriptletContext, ScriptletDef, ScriptletResult, Shell
} from '../scriptlet/api.js';

const roots = process.argv.slice(2).map((r) => resolve(r));

/**
 * The largest message the sandbox sends (a result, a command): a scriptlet returning or asking
 * for more is refused here instead of making the runner parse it. Real results are far smaller
 * (a listing of 100 000 volumes is about 30 MB of JSON).
 */
export const MAX_MESSAGE_CHARS = 64 * 1024 * 1024;
/** Progress reports of one run are forwarded at most this often (the last one always). */
const PROGRESS_EVERY_MS = 100;

const waiting = new Map<string, (v: unknown) => void>();
/** Stdout listeners of commands still running (CommandOptions.onStdout), by run and call. */
const streaming = new Map<string, (chunk: string) => void>();
let nextCall = 1;

// The runner's messages are received by this listener, registered before harden() shuts the
// door on any other 'message' listener (a scriptlet must not read other runs' tokens).
process.on('message', (m: ToChild) => onMessage(m));
const ipcSend = harden();

function send(m: FromChild): void {
  ipcSend(m);
}

/** Would this message be over MAX_MESSAGE_CHARS? (A scriptlet's own toJSON may throw here.) */
function oversized(m: unknown): boolean {
  return JSON.stringify(m).length > MAX_MESSAGE_CHARS;
}

/** What one run did that the sandbox itself refused (the run then ends SANDBOX_DENIED). */
interface RunState {
  refused: string | null;
}

function ask<T>(id: number, token: string, state: RunState, msg: (callId: number) => FromChild, refused: T): Promise<T> {
  const callId = nextCall++;
  const m = msg(callId);
  if (oversized(m)) {
    state.refused ??= TOO_BIG;
    return Promise.resolve(refused);
  }
  return new Promise<T>((res) => {
    waiting.set(`${id}:${token}:${callId}`, res as (v: unknown) => void);
    send(m);
  });
}

const TOO_BIG = `a request to the runner over ${MAX_MESSAGE_CHARS} characters`;

function makeShell(id: number, token: string, state: RunState, mutating: boolean): Shell {
  const refused: CommandResult = { argv: [], exitCode: 126, signal: null, stdout: '', stderr: `storage-agent: denied: ${TOO_BIG}`, failed: true, timedOut: false, truncated: false };
  return shellOver(async (argv, options) => {
    const { onStdout, ...wire } = options;
    let key: string | null = null;
    const r = await ask<CommandResult>(id, token, state, (callId) => {
      if (typeof onStdout === 'function') {
        key = `${id}:${token}:${callId}`;
        streaming.set(key, onStdout);
      }
      return { t: 'exec', id, token, callId, argv, options: { ...wire, ...(onStdout ? { stream: true } : {}) }, mutating };
    }, refused);
    if (key) streaming.delete(key);
    return r;
  });
}

function makeFs(id: number, token: string, state: RunState, root: string): PoolFs {
  const call = <T>(op: Extract<FromChild, { t: 'fs' }>['op'], ...args: unknown[]) =>
    ask<FsResult<T>>(id, token, state, (callId) => ({ t: 'fs', id, token, callId, op, args }), { ok: false, code: 'SANDBOX_DENIED', message: TOO_BIG });
  return {
    root,
    path: (name: string) => `${root.replace(/\/+$/, '')}/${name}`,
    statRoot: () => call('statRoot'),
    mkdirRoot: (mode?: number) => call('mkdirRoot', mode),
    rmdirRoot: () => call('rmdirRoot'),
    usage: () => call('usage'),
    list: () => call('list'),
    stat: (name: string) => call('stat', name),
    readBytes: (name: string, offset: number, length: number) => call('readBytes', name, offset, length),
    createFile: (name: string, size: number, mode?: number) => call('createFile', name, size, mode),
    unlink: (name: string) => call('unlink', name),
    rename: (from: string, to: string) => call('rename', from, to),
    allocate: (name: string, length: number) => call('allocate', name, length),
    overwrite: (name: string, length: number, algorithm: 'zero' | 'random') => call('overwrite', name, length, algorithm)
  };
}

const loaded = new Map<string, ScriptletDef>();

async function load(module: string): Promise<ScriptletDef | string> {
  const abs = resolve(module);
  if (!roots.some((r) => abs.startsWith(r + sep))) return `scriptlet ${module} is outside the scriptlet roots`;
  const hit = loaded.get(abs);
  if (hit) return hit;
  const bad = vetImports(abs, new Set());
  if (bad) return bad;
  const mod = (await import(pathToFileURL(abs).href)) as { default?: ScriptletDef };
  if (!mod.default || typeof mod.default.run !== 'function') return `scriptlet ${module} has no default export from defineScriptlet`;
  loaded.set(abs, mod.default);
  return mod.default;
}

/** Every module a scriptlet pulls in must stay inside the roots and import no builtins. */
function vetImports(file: string, seen: Set<string>): string | null {
  if (seen.has(file)) return null;
  seen.add(file);
  const { specifiers, dynamic } = importedSpecifiers(readFileSync(file, 'utf8'));
  if (dynamic) return `${file} uses dynamic import() or require(), which scriptlets may not`;
  for (const spec of specifiers) {
    if (!spec.startsWith('.')) return `${file} imports ${spec}; scriptlets may import only the scriptlet API and their helpers`;
    const target = resolve(dirname(file), spec);
    if (!roots.some((r) => target.startsWith(r + sep))) return `${file} imports ${spec}, outside the scriptlet roots`;
    const deeper = vetImports(target, seen);
    if (deeper) return deeper;
  }
  return null;
}

function deniedResult(e: unknown): ScriptletResult<unknown> | null {
  const code = (e as { code?: string })?.code;
  const msg = e instanceof Error ? e.message : '';
  // eval/new Function (code generation is disabled) and changes to the frozen shared objects.
  const shut = e instanceof EvalError || (e instanceof TypeError && /Cannot (add|assign to read only|redefine|define|delete) property|object is not extensible|Cannot (assign to|set) .*read.only/.test(msg));
  if (code === 'ERR_ACCESS_DENIED' || shut) {
    return { ok: false, error: { code: 'SANDBOX_DENIED', message: `scriptlet tried something outside its permissions: ${(e as Error).message}` } };
  }
  return null;
}

async function run(id: number, token: string, module: string, input: unknown, info: RunContextInfo) {
  let result: ScriptletResult<unknown>;
  const state: RunState = { refused: null };
  try {
    const def = await load(module);
    if (typeof def === 'string') {
      result = { ok: false, error: { code: 'SANDBOX_DENIED', message: def } };
    } else {
      let lastProgress = 0;
      const ctx: ScriptletContext = {
        $: makeShell(id, token, state, true),
        query: makeShell(id, token, state, false),
        fs: info.fsRoot ? makeFs(id, token, state, info.fsRoot) : null,
        host: info.host,
        dryRun: info.dryRun,
        toolVersion: info.toolVersion,
        progress: (done: number, total: number) => {
          const now = Date.now();
          if (now - lastProgress < PROGRESS_EVERY_MS && done !== total) return;
          lastProgress = now;
          send({ t: 'progress', id, token, done: Number(done), total: Number(total) });
        }
      };
      result = await def.run(ctx, input as never);
      if (!result || typeof result !== 'object' || typeof (result as { ok?: unknown }).ok !== 'boolean') {
        result = { ok: false, error: { code: 'CONTRACT_VIOLATION', message: 'scriptlet returned something that is not a result value' } };
      }
    }
  } catch (e) {
    result = deniedResult(e) ?? { ok: false, error: { code: 'INTERNAL', message: `scriptlet threw: ${(e as Error)?.message ?? String(e)}` } };
  }
  if (state.refused) result = { ok: false, error: { code: 'SANDBOX_DENIED', message: `scriptlet ${module} made ${state.refused}` } };
  try {
    if (oversized({ t: 'done', id, token, result })) {
      result = { ok: false, error: { code: 'CONTRACT_VIOLATION', message: `scriptlet result is over ${MAX_MESSAGE_CHARS} characters` } };
    }
    send({ t: 'done', id, token, result });
  } catch (e) {
    // A result that cannot cross the boundary (cycles, functions) is the scriptlet's fault.
    send({ t: 'done', id, token, result: { ok: false, error: { code: 'CONTRACT_VIOLATION', message: `scriptlet result cannot be serialized: ${(e as Error)?.message ?? String(e)}` } } });
  }
}

function onMessage(m: ToChild) {
  if (m.t === 'ping') {
    send({ t: 'pong', n: m.n });
  } else if (m.t === 'run') {
    void run(m.id, m.token, m.module, m.input, m.ctx);
  } else if (m.t === 'stdout') {
    const listen = streaming.get(`${m.id}:${m.token}:${m.callId}`);
    try {
      listen?.(String(m.chunk));
    } catch {
      // A listener's failure is the scriptlet's; the command and the run go on.
    }
  } else {
    const key = `${m.id}:${m.token}:${m.callId}`;
    const res = waiting.get(key);
    if (res) {
      waiting.delete(key);
      res(m.result);
    }
  }
}
// The parent going away ends the sandbox (the IPC channel closing ends the event loop).
send({ t: 'ready' });
