// Running one operation, the orchestration above the sandbox, exec, probe and golden layers: pick
// the scriptlet (select.ts), check its input against the contract, run it in the sandbox with
// every command and file operation checked here (paths: path-policy.ts), check its output, turn
// any failure into one spec error code with the tool context, and record it in record mode.
import type { PoolType, PlanStep } from '../contracts/generated.js';
import type { CommandResult, FsResult, HostFacts, OperationName, ScriptletResult } from './api.js';
import type { WireCommandOptions } from '../sandbox/protocol.js';
import type { FsOpName } from '../exec/pool-fs.js';
import { MUTATING_FS_OPS } from '../exec/pool-fs.js';
import { resolveBinary } from '../exec/resolve-binary.js';
import { packageOf } from '../probe/packages.js';
import { allowedPaths, pathAllowed } from './path-policy.js';
import { choose } from './select.js';
import { err, ok, trimStderr, type ErrorData, type Result } from '../errors.js';
import { BACKENDS } from '../backends/index.js';
import type { Runtime } from './runtime-types.js';
import type { RegisteredScriptlet } from './registry.js';
import type { GoldenCall } from '../golden/types.js';
import type { ToolExecutor } from '../exec/executor.js';
import { recordGolden } from '../golden/record.js';

// Selection moved to select.ts; re-exported for the callers that import it from here.
export { choose, toolFor } from './select.js';

export interface InvokeRequest {
  op: OperationName;
  poolType: PoolType | 'host';
  input: unknown;
  /** The pool's target directory, for file-based pools (ctx.fs); null otherwise. */
  fsRoot: string | null;
  dryRun?: boolean;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Golden replay: run this scriptlet with this version and host, no probing. */
  pinned?: { scriptletId: string; version: string; host: HostFacts; executor: ToolExecutor };
}

export interface InvokeOutcome {
  result: Result<unknown>;
  plan: PlanStep[];
  calls: GoldenCall[];
  scriptlet?: string;
  tool?: string;
  version?: string;
}

const OK_DRY: CommandResult = { argv: [], exitCode: 0, signal: null, stdout: '', stderr: '', failed: false, timedOut: false, truncated: false };

/** How much of a command's output over the cap is kept for the scriptlet and the error data. */
const TRUNCATED_KEEP = 64 * 1024;

export async function invoke(rt: Runtime, req: InvokeRequest): Promise<InvokeOutcome> {
  const plan: PlanStep[] = [];
  const calls: GoldenCall[] = [];
  let picked: { scriptlet: RegisteredScriptlet; version: string; tool: string };
  let host: HostFacts;
  if (req.pinned) {
    const s = rt.registry.byId(req.pinned.scriptletId);
    if (!s) return { result: err('INTERNAL', `no scriptlet ${req.pinned.scriptletId}`), plan, calls };
    picked = { scriptlet: s, version: req.pinned.version, tool: s.def.tool };
    host = req.pinned.host;
  } else {
    const c = await choose(rt, req.op, req.poolType);
    if (!c.ok) return { result: c, plan, calls };
    picked = c.value;
    host = rt.probes.host();
  }
  const { scriptlet, version, tool } = picked;
  const context = { tool, version, scriptlet: scriptlet.id };
  const bad = rt.contracts.checkOp(req.op, 'input', req.input);
  if (bad) return { result: err('INVALID_ARGUMENT', `${req.op}: ${bad}`, context), plan, calls, ...context };

  const def = scriptlet.def;
  const dryRun = req.dryRun === true;
  const fileTarget = req.poolType !== 'host' && (BACKENDS[req.poolType]?.fileTarget ?? false);
  const allowed = req.fsRoot ? allowedPaths(req.fsRoot, req.input) : [];
  let violation: string | null = null;
  let lastFailed: CommandResult | null = null;
  // Ends with the run: a command or file operation still going when the run is over (the
  // sandbox was killed, or the scriptlet did not wait for it) is stopped, not left running.
  const runOver = new AbortController();
  const runSignal = req.signal ? AbortSignal.any([req.signal, runOver.signal]) : runOver.signal;
  const deny = (why: string): CommandResult => {
    violation ??= why;
    return { argv: [], exitCode: 126, signal: null, stdout: '', stderr: `storage-agent: denied: ${why}`, failed: true, timedOut: false, truncated: false };
  };

  const exec = async (argv: string[], options: WireCommandOptions, mutating: boolean, onStdout?: (chunk: string) => void): Promise<CommandResult> => {
    if (!Array.isArray(argv) || argv.length === 0 || argv.some((a) => typeof a !== 'string' || a.includes('\0'))) return deny('malformed argv');
    const bin = argv[0] as string;
    if (!def.binaries.includes(bin)) return deny(`${scriptlet.id} may not run ${bin} (declared: ${def.binaries.join(', ') || 'none'})`);
    // Every command, not only those the scriptlet calls mutating: whether a command only reads
    // is the scriptlet's word (`ctx.query`), and a declared tool run as a "query" can write too.
    if (fileTarget && req.fsRoot) {
      const outside = argv.slice(1).find((a) => a.startsWith('/') && !pathAllowed(a, req.fsRoot as string, allowed));
      if (outside) return deny(`${scriptlet.id} may not name a path outside pool target ${req.fsRoot}: ${outside}`);
    }
    if (mutating && dryRun) {
      plan.push({ argv: argv as [string, ...string[]] });
      return { ...OK_DRY, argv };
    }
    const executor = req.pinned?.executor ?? rt.executor;
    const file = req.pinned ? bin : resolveBinary(bin, rt.toolPath);
    if (!file) {
      const r: CommandResult = { argv, exitCode: 127, signal: null, stdout: '', stderr: `${bin}: not found`, failed: true, timedOut: false, truncated: false };
      lastFailed = r;
      return r;
    }
    let r = await executor.exec(file, argv, { stdin: options.stdin, timeoutMs: options.timeoutMs, signal: runSignal, onStdout });
    // Output cut at the cap is refused anyway (failed): only its start crosses into the sandbox,
    // not up to 2 x 16 MiB per command.
    if (r.truncated) r = { ...r, stdout: r.stdout.slice(0, TRUNCATED_KEEP), stderr: r.stderr.slice(0, TRUNCATED_KEEP) };
    calls.push({ kind: 'exec', argv, stdin: options.stdin ?? null, exitCode: r.exitCode, signal: r.signal, timedOut: r.timedOut, stdout: r.stdout, stderr: r.stderr });
    if (r.failed) lastFailed = r;
    return r;
  };

  const fs = async (op: FsOpName, rawArgs: unknown[]): Promise<FsResult<unknown>> => {
    // Optional arguments left out arrive as null through IPC (JSON): drop them at the end.
    const args = [...rawArgs];
    while (args.length && (args[args.length - 1] === null || args[args.length - 1] === undefined)) args.pop();
    if (!req.fsRoot) {
      deny(`${scriptlet.id} used file operations on a pool without a file target`);
      return { ok: false, code: 'SANDBOX_DENIED', message: 'no file target' };
    }
    if (dryRun && MUTATING_FS_OPS.has(op)) {
      const name = typeof args[0] === 'string' ? args[0] : '';
      plan.push({ fs: op, path: name ? `${req.fsRoot.replace(/\/+$/, '')}/${name}` : req.fsRoot, ...(args.length > 1 ? { detail: { args: args.slice(1) } } : {}) });
      return { ok: true, value: undefined };
    }
    const r = await (req.pinned?.executor ?? rt.executor).fs(req.fsRoot, op, args, { signal: runSignal, onProgress: req.onProgress });
    if (!r.ok && r.code === 'SANDBOX_DENIED') violation ??= r.message;
    calls.push({ kind: 'fs', op, args: [...args], result: r.ok ? (r.value === undefined ? { ok: true } : { ok: true, value: r.value }) : { ok: false, code: r.code, message: r.message } });
    return r;
  };

  const ran: ScriptletResult<unknown> = await rt.sandbox.run(
    scriptlet.module,
    req.input,
    { dryRun, host, toolVersion: version, fsRoot: req.fsRoot },
    { exec, fs, progress: (d, t) => req.onProgress?.(d, t) }
  );
  runOver.abort();
  const base = { plan, calls, ...context };
  if (violation) return { result: err('SANDBOX_DENIED', violation, context), ...base };
  if (req.signal?.aborted) return { result: err('CANCELLED', `${req.op} was cancelled`, context), ...base };
  if (!ran.ok) {
    const e = ran.error;
    const data: ErrorData = { code: e.code, message: e.message, ...context };
    const cmd = e.command ?? (e.code === 'TOOL_FAILED' || e.code === 'TIMEOUT' ? lastFailed : null);
    if (cmd) {
      data.argv = cmd.argv;
      data.exitCode = cmd.exitCode;
      data.stderr = trimStderr(cmd.stderr);
      if (cmd.timedOut) data.code = 'TIMEOUT';
      if (cmd.exitCode === 127 && cmd.argv[0] !== undefined && cmd.stderr === `${cmd.argv[0]}: not found`) {
        // A binary the scriptlet declared is not installed (the probed tool itself was).
        data.code = 'TOOL_MISSING';
        const pkg = packageOf(cmd.argv[0]);
        if (pkg) {
          data.package = pkg;
          data.message = `${e.message} (${cmd.argv[0]} is not installed: Debian package ${pkg})`;
        }
      }
    }
    const failed: InvokeOutcome = { result: { ok: false, error: data }, ...base };
    recordRun(rt, req, failed, host);
    return failed;
  }
  if (!dryRun) {
    const badOut = rt.contracts.checkOp(req.op, 'output', ran.value);
    if (badOut) return { result: err('CONTRACT_VIOLATION', `${scriptlet.id} returned output that does not match its contract: ${badOut}`, context), ...base };
  }
  const outcome: InvokeOutcome = { result: ok(ran.value), ...base };
  recordRun(rt, req, outcome, host);
  return outcome;
}

/** Record mode: every real, non-dry run becomes a golden transcript (runner/golden/record.ts). */
function recordRun(rt: Runtime, req: InvokeRequest, o: InvokeOutcome, host: HostFacts): void {
  if (!rt.recordDir || req.pinned || req.dryRun || !o.scriptlet || !o.tool || !o.version) return;
  recordGolden(rt.recordDir, rt.recordSource, { op: req.op, input: req.input, fsRoot: req.fsRoot, host, scriptlet: o.scriptlet, tool: o.tool, version: o.version, calls: o.calls, result: o.result });
}
