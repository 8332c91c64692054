// The sandbox process. It runs under Node's permission model with read access to the compiled
// code only: it cannot spawn processes, write files, or read the agent's state. Scriptlet code
// reaches the machine only by asking the runner, which checks every request.
import { pathToFileURL } from 'node:url';
import { dirname, resolve, sep } from 'node:path';
import { readFileSync } from 'node:fs';
import { harden, importedSpecifiers } from './harden.js';
import type { ToChild, FromChild, RunContextInfo } from './protocol.js';
import { templateToArgv } from '../scriptlet/api.js';
import type {
  Arg, CommandOptions, CommandResult, FsResult, PoolFs, ScriptletContext, ScriptletDef, ScriptletResult, Shell
} from '../scriptlet/api.js';

const roots = process.argv.slice(2).map((r) => resolve(r));

const ipcSend = harden();
const send = (m: FromChild) => ipcSend(m);
const waiting = new Map<string, (v: unknown) => void>();
let nextCall = 1;

function ask<T>(id: number, msg: (callId: number) => FromChild): Promise<T> {
  const callId = nextCall++;
  return new Promise<T>((res) => {
    waiting.set(`${id}:${callId}`, res as (v: unknown) => void);
    send(msg(callId));
  });
}

function makeShell(id: number, mutating: boolean, options: CommandOptions = {}): Shell {
  const shell = ((strings: TemplateStringsArray, ...values: Arg[]) => {
    const argv = templateToArgv(strings, values);
    return ask<CommandResult>(id, (callId) => ({ t: 'exec', id, callId, argv, options, mutating }));
  }) as Shell;
  shell.with = (more: CommandOptions) => makeShell(id, mutating, { ...options, ...more });
  return shell;
}

function makeFs(id: number, root: string): PoolFs {
  const call = <T>(op: Extract<FromChild, { t: 'fs' }>['op'], ...args: unknown[]) =>
    ask<FsResult<T>>(id, (callId) => ({ t: 'fs', id, callId, op, args }));
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
  // eval/new Function (code generation is disabled) and writes to the frozen shared prototypes.
  const shut = e instanceof EvalError || (e instanceof TypeError && /Cannot (add|assign to read only) property .* of (\[object (Object|Array)\]|function|#<Object>|object)|object is not extensible/.test(msg));
  if (code === 'ERR_ACCESS_DENIED' || shut) {
    return { ok: false, error: { code: 'SANDBOX_DENIED', message: `scriptlet tried something outside its permissions: ${(e as Error).message}` } };
  }
  return null;
}

async function run(id: number, module: string, input: unknown, info: RunContextInfo) {
  let result: ScriptletResult<unknown>;
  try {
    const def = await load(module);
    if (typeof def === 'string') {
      result = { ok: false, error: { code: 'SANDBOX_DENIED', message: def } };
    } else {
      const ctx: ScriptletContext = {
        $: makeShell(id, true),
        query: makeShell(id, false),
        fs: info.fsRoot ? makeFs(id, info.fsRoot) : null,
        host: info.host,
        dryRun: info.dryRun,
        toolVersion: info.toolVersion,
        progress: (done: number, total: number) => send({ t: 'progress', id, done, total })
      };
      result = await def.run(ctx, input as never);
      if (!result || typeof result !== 'object' || typeof (result as { ok?: unknown }).ok !== 'boolean') {
        result = { ok: false, error: { code: 'CONTRACT_VIOLATION', message: 'scriptlet returned something that is not a result value' } };
      }
    }
  } catch (e) {
    result = deniedResult(e) ?? { ok: false, error: { code: 'INTERNAL', message: `scriptlet threw: ${(e as Error)?.message ?? String(e)}` } };
  }
  try {
    send({ t: 'done', id, result });
  } catch (e) {
    // A result that cannot cross the boundary (cycles, functions) is the scriptlet's fault.
    send({ t: 'done', id, result: { ok: false, error: { code: 'CONTRACT_VIOLATION', message: `scriptlet result cannot be serialized: ${(e as Error).message}` } } });
  }
}

process.on('message', (m: ToChild) => {
  if (m.t === 'run') {
    void run(m.id, m.module, m.input, m.ctx);
  } else {
    const key = `${m.id}:${m.callId}`;
    const res = waiting.get(key);
    if (res) {
      waiting.delete(key);
      res(m.result);
    }
  }
});
// The parent going away ends the sandbox (the IPC channel closing ends the event loop).
send({ t: 'ready' });
