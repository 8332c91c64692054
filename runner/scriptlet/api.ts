// The whole world a scriptlet sees. A scriptlet imports this module (and pure helpers beside it
// under scriptlets/lib/), never node:fs, node:child_process or the like: `storage-agent check`
// rejects such imports, and the sandbox process has no permission to spawn or write anyway.
// Everything that touches the machine goes through the context the runner hands in.
import type { ErrorCode, OpContracts, PoolType } from '../contracts/generated.js';

export type OperationName = keyof OpContracts;
export type OpInput<Op extends OperationName> = OpContracts[Op]['input'];
export type OpOutput<Op extends OperationName> = OpContracts[Op]['output'];

/** What one command gave back. Never thrown: a non-zero exit is a value the scriptlet inspects. */
export interface CommandResult {
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** exitCode !== 0, killed, or output cut at the cap. */
  failed: boolean;
  timedOut: boolean;
  /** The runner cut stdout/stderr at its output cap. */
  truncated: boolean;
}

export interface CommandOptions {
  /** Text written to the command's stdin. */
  stdin?: string;
  /** Kill the command (and its process group) after this long: TIMEOUT. Default: the runner's. */
  timeoutMs?: number;
  /**
   * Called in the sandbox with each piece of the command's stdout as it arrives, so a scriptlet
   * can report progress from it (ctx.progress); the whole output still comes in the result.
   * The parsing is the scriptlet's (qemu-img's `-p` lines: scriptlets/lib/qemu-img.ts).
   */
  onStdout?: (chunk: string) => void;
}

export type Arg = string | number | bigint | readonly (string | number | bigint)[];

/**
 * A zx-style template: `ctx.$\`qemu-img create -f ${fmt} -- ${path} ${size}\``. The literal text is
 * split on white space into arguments; every interpolation is exactly one argument (an array is
 * several), never shell text. Text touching an interpolation joins it: `-L${n}b` is one argument.
 */
export interface Shell {
  (strings: TemplateStringsArray, ...values: Arg[]): Promise<CommandResult>;
  with(options: CommandOptions): Shell;
}

export interface FileStat {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'block' | 'other';
  /** Apparent size in bytes. */
  size: number;
  /** Bytes allocated on disk (st_blocks * 512). */
  allocated: number;
  mode: number;
  uid: number;
  gid: number;
  /** Base64 of the first 64 bytes of a regular file (format detection); '' otherwise. */
  header: string;
}

export interface FsUsage {
  capacity: number;
  allocation: number;
  available: number;
}

/**
 * File operations confined to the pool's target directory. Names are plain entry names inside the
 * target (no '/', not '.' or '..'); symbolic links are never followed by a mutation. Anything else
 * is SANDBOX_DENIED. Errors come back as values with the spec's codes.
 */
export interface PoolFs {
  /** The target directory's absolute path, for building argv. */
  readonly root: string;
  /** Absolute path of an entry (checked like every other name). */
  path(name: string): string;
  statRoot(): Promise<FsResult<FileStat | null>>;
  mkdirRoot(mode?: number): Promise<FsResult<void>>;
  rmdirRoot(): Promise<FsResult<void>>;
  usage(): Promise<FsResult<FsUsage>>;
  list(): Promise<FsResult<FileStat[]>>;
  stat(name: string): Promise<FsResult<FileStat | null>>;
  readBytes(name: string, offset: number, length: number): Promise<FsResult<string>>;
  /**
   * Create a new sparse file of `size` bytes (VOLUME_EXISTS if the name is taken); its stat. The
   * file appears whole or not at all: it is made under its partial name and linked into place.
   */
  createFile(name: string, size: number, mode?: number): Promise<FsResult<FileStat>>;
  unlink(name: string): Promise<FsResult<void>>;
  /**
   * Give a regular file (never a symlink or directory) a new name, atomically and without ever
   * replacing anything: VOLUME_EXISTS when `to` is taken. The stat of `to`. This is how a volume
   * made under its partial name (partialName) is published once whole.
   */
  rename(from: string, to: string): Promise<FsResult<FileStat>>;
  /** Allocate the first `length` bytes (at most 256 MiB) by writing zeros; the file's stat. */
  allocate(name: string, length: number): Promise<FsResult<FileStat>>;
  /** Overwrite `length` bytes from 0 with zeros or random data, reporting progress. */
  overwrite(name: string, length: number, algorithm: 'zero' | 'random'): Promise<FsResult<void>>;
}

/**
 * Volumes that take time to make (copies, images, allocated files) are made under a hidden
 * partial name in the pool and renamed into place when whole, so a crash never leaves half a
 * volume under its real name. Partial files are never listed as volumes; a partial whose
 * operation is gone (its volume lock is free) is removed on the next vol.list or pool.refresh.
 */
export const PARTIAL_PREFIX = '.sa-partial-';

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }
  return n;
}

/** FNV-1a, 64 bits, as 16 hex digits: a short stand-in for a name too long to prefix. */
function fnv1a64(s: string): string {
  let h = 0xcbf29ce484222325n;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    h ^= BigInt(c);
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, '0');
}

/** The partial name a volume is made under: `.sa-partial-NAME`, or a hashed form for long names. */
export function partialName(name: string): string {
  const plain = `${PARTIAL_PREFIX}${name}`;
  return utf8Length(plain) <= 255 ? plain : `${PARTIAL_PREFIX}~${fnv1a64(name)}`;
}

export const isPartialName = (name: string): boolean => name.startsWith(PARTIAL_PREFIX);

export type FsResult<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

export interface HostFacts {
  /** /dev/mapper/control opens: LVM activation, snapshots and thin volumes can work. */
  deviceMapper: boolean;
  root: boolean;
}

export interface ScriptletContext {
  /** Commands that change something. Under dryRun they are recorded, not run, and succeed. */
  $: Shell;
  /** Commands that only read. They run even under dryRun. */
  query: Shell;
  /** Present only for pools with a target directory the agent owns (dir, fs, netfs). */
  fs: PoolFs | null;
  host: HostFacts;
  dryRun: boolean;
  /** The probed version of the scriptlet's tool, as the tool printed it. */
  toolVersion: string;
  progress(done: number, total: number): void;
}

export interface ScriptletError {
  code: ErrorCode;
  message: string;
  /** The command whose failure this is: the runner adds tool, version, argv, exit code, stderr. */
  command?: CommandResult;
}

export type ScriptletResult<T> = { ok: true; value: T } | { ok: false; error: ScriptletError };

export interface ScriptletDef<Op extends OperationName = OperationName> {
  operation: Op;
  /** Pool types served; 'host' for host-wide operations (host.listVolumes, pool.findSources). */
  poolTypes: readonly (PoolType | 'host')[];
  /** The tool whose probed version selects this scriptlet (a name in runner/probe/tools). */
  tool: string;
  /** semver range over the tool's normalized version (runner/probe/version.ts). */
  versions: string;
  /** Why the range is what it is: the release that changed behaviour. */
  why: string;
  /** Binaries this scriptlet may run, resolved from the runner's fixed PATH. */
  binaries: readonly string[];
  run(ctx: ScriptletContext, input: OpInput<Op>): Promise<ScriptletResult<OpOutput<Op>>>;
}

export function defineScriptlet<Op extends OperationName>(def: ScriptletDef<Op>): ScriptletDef<Op> {
  return def;
}

export const done = <T>(value: T): ScriptletResult<T> => ({ ok: true, value });

export function fail(code: ErrorCode, message: string, command?: CommandResult): { ok: false; error: ScriptletError } {
  return command ? { ok: false, error: { code, message, command } } : { ok: false, error: { code, message } };
}

/** A command failed for a cause the scriptlet does not know: TOOL_FAILED with the tool context. */
export function toolFailed(command: CommandResult, what: string): { ok: false; error: ScriptletError } {
  const first = command.stderr.trim().split('\n').find((l) => l.trim() !== '') ?? '';
  const why = command.timedOut ? 'timed out' : command.truncated ? 'output over the cap' : `exit ${command.exitCode ?? command.signal}`;
  return fail(command.timedOut ? 'TIMEOUT' : 'TOOL_FAILED', `${what} failed (${why})${first ? `: ${first.trim()}` : ''}`, command);
}

/** Lift an FsResult failure into a ScriptletResult failure. */
export function fsFailed(r: { ok: false; code: ErrorCode; message: string }): { ok: false; error: ScriptletError } {
  return fail(r.code, r.message);
}

/** A Shell over anything that runs an argv (the sandbox's IPC to the runner, a test's fake). */
export function shellOver(run: (argv: string[], options: CommandOptions) => Promise<CommandResult>, options: CommandOptions = {}): Shell {
  const sh = ((strings: TemplateStringsArray, ...values: Arg[]) => run(templateToArgv(strings, values), options)) as Shell;
  sh.with = (more: CommandOptions) => shellOver(run, { ...options, ...more });
  return sh;
}

/** Split a template into argv: literal text on white space, each interpolation one argument. */
export function templateToArgv(strings: readonly string[], values: readonly Arg[]): string[] {
  const argv: string[] = [];
  let current: string | null = null;
  const flush = () => {
    if (current !== null) argv.push(current);
    current = null;
  };
  strings.forEach((literal, i) => {
    const parts = literal.split(/(\s+)/);
    for (const part of parts) {
      if (part === '') continue;
      if (/^\s+$/.test(part)) flush();
      else current = (current ?? '') + part;
    }
    if (i < values.length) {
      const v = values[i] as Arg;
      if (Array.isArray(v)) {
        // An array is several arguments; it cannot be glued to literal text.
        flush();
        for (const item of v as readonly (string | number | bigint)[]) argv.push(String(item));
      } else {
        current = (current ?? '') + String(v);
      }
    }
  });
  flush();
  return argv;
}
