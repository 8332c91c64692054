// The fs/netfs pool operations on util-linux, written once (the util-linux-2 scriptlets are
// their declarations). Commands only through the context; parsing in fsmount.ts.
import { done, fail, fsFailed, toolFailed } from '../../runner/scriptlet/api.js';
import type { CommandResult, OpInput, OpOutput, ScriptletContext, ScriptletResult, Shell } from '../../runner/scriptlet/api.js';
import type { ErrorCode, PoolDefinition } from '../../runner/contracts/generated.js';
import {
  blkidAllArgv,
  blkidProbeArgv,
  classifyMessage,
  describeSignature,
  findmntArgv,
  fsSources,
  MKFS_FORMATS,
  MKFS_PACKAGE,
  mkfsArgv,
  MOUNT_PACKAGE,
  mountArgv,
  mountSource,
  parseBlkidExport,
  parseFindmnt,
  umountArgv,
  wipefsArgv
} from './fsmount.js';

type Failure = { ok: false; error: { code: ErrorCode; message: string; command?: CommandResult } };

const run = (sh: Shell, argv: string[]): Promise<CommandResult> => sh`${argv}`;

function commandFailure(r: CommandResult, what: string, pkg?: string): Failure {
  const known = r.timedOut ? null : classifyMessage(r.stdout, r.stderr);
  if (!known) return toolFailed(r, what);
  const hint = known.code === 'TOOL_MISSING' && pkg ? ` (install Debian package ${pkg}, or load the kernel's file system module)` : '';
  return fail(known.code, `${what}: ${known.line}${hint}`, r);
}

function target(pool: PoolDefinition): string | null {
  return pool.target?.path ?? null;
}

function sourceDevice(pool: PoolDefinition): string | null {
  return pool.source?.devices?.[0]?.path ?? null;
}

export async function fsBuild(ctx: ScriptletContext, input: OpInput<'pool.build'>): Promise<ScriptletResult<OpOutput<'pool.build'>>> {
  const pool = input.pool;
  const dev = sourceDevice(pool);
  if (!dev) return fail('INVALID_ARGUMENT', `fs pool '${pool.name}' has no <source><device path=.../>`);
  const format = pool.source?.format;
  if (!format || format === 'auto') return fail('INVALID_ARGUMENT', `building fs pool '${pool.name}' needs a <source><format type=.../> to make (${MKFS_FORMATS.join(', ')})`);
  const argv = mkfsArgv(format, dev);
  if (!argv) return fail('UNSUPPORTED', `cannot make a '${format}' file system (${MKFS_FORMATS.join(', ')})`);
  // blkid -p: 0 = found a signature, 2 = nothing (or no such device: mkfs says which).
  const probe = await run(ctx.query, blkidProbeArgv(dev));
  if (probe.exitCode === 0) {
    const found = describeSignature(parseBlkidExport(probe.stdout)[0]);
    if (found && !input.overwrite) return fail('ALREADY_BUILT', `${dev} already holds ${found}; build with overwrite to replace it`);
  } else if (probe.exitCode !== 2) {
    return commandFailure(probe, `probing ${dev}`);
  }
  if (ctx.fs) {
    const st = await ctx.fs.statRoot();
    if (!st.ok) return fsFailed(st);
    if (st.value === null) {
      const mk = await ctx.fs.mkdirRoot();
      if (!mk.ok) return fsFailed(mk);
    }
  }
  const r = await run(ctx.$, argv);
  if (r.failed) return commandFailure(r, `making a ${format} file system on ${dev}`, MKFS_PACKAGE[format]);
  return done({});
}

async function mounted(ctx: ScriptletContext, where: string): Promise<{ source: string; fstype: string } | null> {
  const r = await run(ctx.query, findmntArgv(where));
  return r.exitCode === 0 ? parseFindmnt(r.stdout) : null;
}

export async function mountStart(ctx: ScriptletContext, input: OpInput<'pool.start'>): Promise<ScriptletResult<OpOutput<'pool.start'>>> {
  const pool = input.pool;
  const where = target(pool);
  if (!where) return fail('INVALID_ARGUMENT', `pool '${pool.name}' has no <target><path>`);
  const m = mountSource(pool);
  if (!m.ok) return fail(m.code, m.message);
  const cur = await mounted(ctx, where);
  if (cur) {
    if (cur.source === m.value.source) return done({});
    return fail('POOL_BUSY', `${cur.source} (${cur.fstype}) is already mounted on ${where}`);
  }
  if (ctx.fs) {
    const st = await ctx.fs.statRoot();
    if (!st.ok) return fsFailed(st);
    if (st.value === null) return fail('INVALID_ARGUMENT', `${where} does not exist: build the pool first`);
  }
  const r = await run(ctx.$, mountArgv(m.value, where));
  if (r.failed) return commandFailure(r, `mounting ${m.value.source} on ${where}`, MOUNT_PACKAGE[m.value.fstype ?? 'nfs']);
  return done({});
}

export async function mountStop(ctx: ScriptletContext, input: OpInput<'pool.stop'>): Promise<ScriptletResult<OpOutput<'pool.stop'>>> {
  const where = target(input.pool);
  if (!where) return fail('INVALID_ARGUMENT', `pool '${input.pool.name}' has no <target><path>`);
  if (!(await mounted(ctx, where))) return done({});
  const r = await run(ctx.$, umountArgv(where));
  if (r.failed) {
    if (/not mounted/.test(r.stderr)) return done({});
    return commandFailure(r, `unmounting ${where}`);
  }
  return done({});
}

/**
 * pool.delete of a disk or fs pool: wipefs --all on the source device removes the partition
 * table or file system signatures (the data stays on the device but is no longer found); for
 * fs pools the empty target directory is removed too. Nothing is zeroed: that is vol.wipe's.
 */
export async function wipeDelete(ctx: ScriptletContext, input: OpInput<'pool.delete'>): Promise<ScriptletResult<OpOutput<'pool.delete'>>> {
  const pool = input.pool;
  const dev = sourceDevice(pool);
  if (!dev) return fail('INVALID_ARGUMENT', `pool '${pool.name}' has no <source><device path=.../>`);
  const r = await run(ctx.$, wipefsArgv(dev));
  if (r.failed) return commandFailure(r, `wiping the signatures of ${dev}`);
  if (pool.type === 'fs' && ctx.fs) {
    const st = await ctx.fs.statRoot();
    if (st.ok && st.value !== null) {
      const rm = await ctx.fs.rmdirRoot();
      if (!rm.ok) return fsFailed(rm);
    }
  }
  return done({});
}

export async function fsFindSources(ctx: ScriptletContext, input: OpInput<'pool.findSources'>): Promise<ScriptletResult<OpOutput<'pool.findSources'>>> {
  const r = await run(ctx.query, input.device ? blkidProbeArgv(input.device) : blkidAllArgv());
  // blkid exits 2 when it finds nothing.
  if (r.failed && r.exitCode !== 2) return commandFailure(r, 'probing block devices');
  return done({ sources: fsSources(parseBlkidExport(r.stdout)) });
}
