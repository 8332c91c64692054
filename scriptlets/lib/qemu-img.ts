// File-volume operations through qemu-img, shared by the qemu-img series. The series differ in
// how a backing file's format is given: before 6.1 `-b` alone was accepted (the format probed);
// 6.1 made `-F` mandatory with `-b` (QEMU 6.1 changelog: "qemu-img: creating an image with a
// backing file now requires the backing format"). Everything else is the same logic.
import { done, fail, fsFailed, isPartialName, partialName, toolFailed } from '../../runner/scriptlet/api.js';
import type { CommandOptions, CommandResult, FileStat, OpInput, ScriptletContext, ScriptletResult, PoolFs } from '../../runner/scriptlet/api.js';
import type { Volume } from '../../runner/contracts/generated.js';
import { describeFile, joinPath, volumeFromStat } from './file-volume.js';
import { imageOptions, type QemuImgImageSupport } from './image-options.js';

export interface QemuImgSeries extends QemuImgImageSupport {
  /** Pass `-F fmt` with `-b`. */
  backingFormatFlag: boolean;
}

/** The runner's zero-writing allocate limit (ctx.fs.allocate); fallocate(1) beyond it. */
export const MAX_ZERO_ALLOCATE = 256 * 1024 * 1024;

export const FILE_FORMATS = ['raw', 'qcow2', 'qcow', 'qed', 'vmdk', 'vpc', 'vdi', 'vhdx', 'iso'] as const;

export function createArgv(s: QemuImgSeries, path: string, format: string, capacity: number | null, backing?: { path: string; format?: string | undefined }, options: readonly string[] = []): string[] {
  const argv = ['qemu-img', 'create', '-f', format];
  if (backing) {
    argv.push('-b', backing.path);
    if (s.backingFormatFlag) argv.push('-F', backing.format ?? 'raw');
  }
  // The image options the volume asks for (scriptlets/lib/image-options.ts), one -o list. An
  // <allocation> alone preallocates nothing in a qcow2 image, as in libvirt: preallocation is
  // only made when asked (`preallocate`).
  if (options.length) argv.push('-o', options.join(','));
  // Paths are absolute (the pool's target + a checked name), so none can be read as an option
  // or as a protocol prefix ("nbd:..."): no `--` needed, and argv stays what people type.
  argv.push(path);
  if (capacity !== null) argv.push(String(capacity));
  return argv;
}

export function convertArgv(src: { path: string; format: string }, dst: string, format: string): string[] {
  return ['qemu-img', 'convert', '-p', '-f', src.format, '-O', format, src.path, dst];
}

export function resizeArgv(path: string, format: string, capacity: number, shrink: boolean, allocate = false): string[] {
  // --allocate (libvirt's VIR_STORAGE_VOL_RESIZE_ALLOCATE): the new space is allocated.
  return ['qemu-img', 'resize', ...(shrink ? ['--shrink'] : []), ...(allocate ? ['--preallocation=falloc'] : []), '-f', format, path, String(capacity)];
}

/** qemu-img's messages we know, as spec codes (stderr and exit code together). */
export function classify(r: CommandResult): 'NO_SPACE' | 'PERMISSION_DENIED' | null {
  if (!r.failed) return null;
  if (/No space left on device|File too large|Disk quota exceeded/i.test(r.stderr)) return 'NO_SPACE';
  if (/Permission denied|Operation not permitted|Read-only file system/i.test(r.stderr)) return 'PERMISSION_DENIED';
  return null;
}

function failedCommand(r: CommandResult, what: string): { ok: false; error: { code: import('../../runner/contracts/generated.js').ErrorCode; message: string; command?: CommandResult } } {
  const c = classify(r);
  return c ? fail(c, `${what}: ${r.stderr.trim().split('\n')[0] ?? ''}`, r) : toolFailed(r, what);
}

/** The volume a command just changed, read back from the pool. */
async function describe(fs: PoolFs, name: string, made: CommandResult): Promise<ScriptletResult<{ volume: Volume }>> {
  const st = await fs.stat(name);
  if (!st.ok) return fsFailed(st);
  // The tool said it succeeded, and there is nothing: its answer cannot be trusted.
  if (!st.value) return fail('TOOL_FAILED', `${made.argv[0] ?? 'the tool'} reported success, but volume ${name} is not in the pool`, made);
  return described(fs, st.value);
}

async function described(fs: PoolFs, st: FileStat): Promise<ScriptletResult<{ volume: Volume }>> {
  const v = await describeFile(fs, st);
  if (!v.ok) return fsFailed(v);
  if (!v.value) return fail('INTERNAL', `${st.name} is not a file after it was made`);
  return done({ volume: v.value });
}

/** Names under the partial prefix are the agent's own work files, never volumes. */
function reserved(name: string): ScriptletResult<never> | null {
  return isPartialName(name) ? fail('INVALID_ARGUMENT', `volume names starting with ${JSON.stringify(partialName(''))} are reserved for volumes being made`) : null;
}

/**
 * The last step of every made volume: the partial file, whole, takes the volume's name (never
 * replacing one: VOLUME_EXISTS). On any failure the partial file is removed.
 */
async function publish(ctx: ScriptletContext, fs: PoolFs, tmp: string, name: string, poolName: string, made?: CommandResult): Promise<ScriptletResult<{ volume: Volume }> | null> {
  const r = await fs.rename(tmp, name);
  if (ctx.dryRun) return null;
  if (!r.ok) {
    await fs.unlink(tmp);
    if (r.code === 'VOLUME_EXISTS') return fail('VOLUME_EXISTS', `volume ${name} already exists in pool ${poolName}`);
    // The tool said it succeeded and made nothing: its answer cannot be trusted.
    if (r.code === 'NO_VOLUME' && made) return fail('TOOL_FAILED', `${made.argv[0] ?? 'the tool'} reported success, but made no ${name}`, made);
    return fsFailed(r);
  }
  return described(fs, r.value);
}

function planned(fs: PoolFs, name: string, format: string, capacity: number, backing?: Volume['backingStore']): { ok: true; value: { volume: Volume } } {
  const path = joinPath(fs.root, name);
  const volume: Volume = { name, key: path, path, type: 'file', capacity, allocation: 0, format };
  if (backing) volume.backingStore = backing;
  return { ok: true, value: { volume } };
}

async function exists(fs: PoolFs, name: string): Promise<ScriptletResult<boolean>> {
  const st = await fs.stat(name);
  return st.ok ? done(st.value !== null) : fsFailed(st);
}

export async function createVolume(s: QemuImgSeries, ctx: ScriptletContext, input: OpInput<'vol.create'>): Promise<ScriptletResult<{ volume: Volume }>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  const bad = reserved(input.name);
  if (bad) return bad;
  const asked = input.format ?? 'raw';
  if (!(FILE_FORMATS as readonly string[]).includes(asked)) return fail('INVALID_ARGUMENT', `unsupported volume format ${asked} (${FILE_FORMATS.join(', ')})`);
  // An ISO image is a raw file (libvirt makes it with `qemu-img create -f raw`).
  const format = asked === 'iso' ? 'raw' : asked;
  const allocation = input.allocation ?? 0;
  const want = Math.min(allocation, input.capacity);
  if (format === 'raw' && input.backingStore) return fail('INVALID_ARGUMENT', 'backing storage not supported for raw volumes: use qcow2');
  if (input.encryption) return createEncrypted(s, ctx, fs, input, format);
  const opts = imageOptions(s, { format, image: input.image, preallocate: input.preallocate, hasBacking: input.backingStore !== undefined });
  if (!opts.ok) return fail(opts.code, opts.message);
  // Asked-for permissions (libvirt's <target><permissions>) are set on the file before it takes
  // its name, so the volume never appears with others.
  const perms = permissionsOf(input.permissions);
  if (perms === null) return fail('INVALID_ARGUMENT', `permissions mode ${JSON.stringify(input.permissions?.mode)} is not an octal mode`);
  // A raw file with nothing but a size is made by the runner; anything more by qemu-img.
  const plainRaw = format === 'raw' && opts.value.length === 0;
  if (plainRaw && want === 0 && !perms.needed) {
    // A sparse raw file is made directly (as libvirt does, no qemu-img): the runner makes it
    // under its partial name and links it into place, and the exclusive link is the existence
    // check (VOLUME_EXISTS). It answers with the stat.
    const made = await fs.createFile(input.name, input.capacity, 0o600);
    if (!made.ok) return made.code === 'VOLUME_EXISTS' ? fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`) : fsFailed(made);
    if (ctx.dryRun) return planned(fs, input.name, format, input.capacity);
    const vol = volumeFromStat(fs.root, made.value);
    return vol ? done({ volume: vol }) : fail('INTERNAL', `${input.name} is not a file after it was made`);
  }
  // Everything that takes time is made under the partial name and renamed when whole.
  const taken = await exists(fs, input.name);
  if (!taken.ok) return taken;
  if (taken.value) return fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`);
  const tmp = partialName(input.name);
  if (plainRaw) {
    // Allocated raw: sparse, then allocated (small allocations are written as zeros by the
    // runner, no process per volume; fallocate(1) beyond its limit).
    const made = await fs.createFile(tmp, input.capacity, 0o600);
    if (!made.ok) return fsFailed(made);
    if (want === 0) {
      // nothing to allocate (only permissions to set)
    } else if (want <= MAX_ZERO_ALLOCATE) {
      const a = await fs.allocate(tmp, want);
      if (!a.ok) {
        await fs.unlink(tmp);
        return fsFailed(a);
      }
    } else {
      const r = await ctx.$`fallocate -l ${want} -- ${fs.path(tmp)}`;
      if (r.failed) {
        await fs.unlink(tmp);
        return failedCommand(r, `allocating ${input.name}`);
      }
    }
    const p = await applyPermissions(fs, tmp, perms);
    if (p) return p;
    return (await publish(ctx, fs, tmp, input.name, input.pool.name)) ?? planned(fs, input.name, format, input.capacity);
  }
  const argv = createArgv(s, fs.path(tmp), format, input.capacity > 0 || !input.backingStore ? input.capacity : null, input.backingStore, opts.value);
  const r = await ctx.$`${argv}`;
  if (r.failed) {
    await fs.unlink(tmp);
    return failedCommand(r, `creating ${input.name}`);
  }
  const p = await applyPermissions(fs, tmp, perms);
  if (p) return p;
  return (await publish(ctx, fs, tmp, input.name, input.pool.name, r)) ?? planned(fs, input.name, format, input.capacity, input.backingStore);
}

/** The secret object's id in qemu-img's argv (libvirt names it after the volume; a fixed id needs no escaping). */
const SECRET_ID = 'sec0';

/**
 * A LUKS volume as libvirt makes it: raw (`<format type='raw'/>` with `<encryption
 * format='luks'>`) is `qemu-img create -f luks --object secret,... -o key-secret=ID`, qcow2 is
 * `-f qcow2 --object secret,... -o encrypt.format=luks,encrypt.key-secret=ID`. The passphrase is
 * in the runner's private file (input.encryption.secretFile), never in argv.
 */
async function createEncrypted(s: QemuImgSeries, ctx: ScriptletContext, fs: PoolFs, input: OpInput<'vol.create'>, format: string): Promise<ScriptletResult<{ volume: Volume }>> {
  const enc = input.encryption!;
  if (format !== 'raw' && format !== 'qcow2') return fail('INVALID_ARGUMENT', `luks encryption is offered for raw and qcow2 volumes, not ${format}`);
  if (input.preallocate !== undefined) return fail('INVALID_ARGUMENT', 'preallocation is not offered for encrypted volumes');
  const opts = imageOptions(s, { format, image: input.image, hasBacking: input.backingStore !== undefined });
  if (!opts.ok) return fail(opts.code, opts.message);
  const perms = permissionsOf(input.permissions);
  if (perms === null) return fail('INVALID_ARGUMENT', `permissions mode ${JSON.stringify(input.permissions?.mode)} is not an octal mode`);
  const taken = await exists(fs, input.name);
  if (!taken.ok) return taken;
  if (taken.value) return fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`);
  const tmp = partialName(input.name);
  const o = format === 'raw' ? [`key-secret=${SECRET_ID}`, ...opts.value] : [`encrypt.format=luks`, `encrypt.key-secret=${SECRET_ID}`, ...opts.value];
  const argv = ['qemu-img', 'create', '-f', format === 'raw' ? 'luks' : 'qcow2', '--object', `secret,id=${SECRET_ID},file=${enc.secretFile}`];
  if (input.backingStore) {
    argv.push('-b', input.backingStore.path);
    if (s.backingFormatFlag) argv.push('-F', input.backingStore.format ?? 'raw');
  }
  argv.push('-o', o.join(','), fs.path(tmp));
  if (input.capacity > 0 || !input.backingStore) argv.push(String(input.capacity));
  // qemu-img times its PBKDF iterations by the thread's CPU clock, which ticks coarsely: a round
  // measured as 0 ms fails the create with this message (3 of 20 plain runs here, more under
  // load). Nothing was made and the next try measures again, so it is tried up to five times.
  let r = await ctx.$`${argv}`;
  for (let tries = 1; r.failed && tries < 5 && r.stderr.includes('Unable to get accurate CPU usage'); tries++) {
    await fs.unlink(tmp);
    r = await ctx.$`${argv}`;
  }
  if (r.failed) {
    await fs.unlink(tmp);
    return failedCommand(r, `creating ${input.name}`);
  }
  const p = await applyPermissions(fs, tmp, perms);
  if (p) return p;
  return (await publish(ctx, fs, tmp, input.name, input.pool.name, r)) ?? planned(fs, input.name, format === 'raw' ? 'luks' : 'qcow2', input.capacity, input.backingStore);
}

interface PermissionsToSet {
  needed: boolean;
  mode: number | null;
  uid: number;
  gid: number;
}

/** libvirt's <permissions> as what to set: a mode (octal text), owner and group (-1: leave as made). */
function permissionsOf(p: OpInput<'vol.create'>['permissions']): PermissionsToSet | null {
  if (!p) return { needed: false, mode: null, uid: -1, gid: -1 };
  let mode: number | null = null;
  if (p.mode !== undefined) {
    if (!/^0?[0-7]{3,4}$/.test(p.mode)) return null;
    mode = parseInt(p.mode, 8);
  }
  const uid = p.owner ?? -1;
  const gid = p.group ?? -1;
  return { needed: mode !== null || uid !== -1 || gid !== -1, mode, uid, gid };
}

/** Set asked-for permissions on the partial file; on failure the partial file is removed. */
async function applyPermissions(fs: PoolFs, tmp: string, p: PermissionsToSet): Promise<ScriptletResult<never> | null> {
  if (!p.needed) return null;
  const r = await fs.setPermissions(tmp, p.mode, p.uid, p.gid);
  if (r.ok) return null;
  await fs.unlink(tmp);
  return fsFailed(r);
}

export async function copyVolume(ctx: ScriptletContext, input: OpInput<'vol.copy'>): Promise<ScriptletResult<{ volume: Volume }>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  const format = input.format ?? (input.from.format === 'dir' ? 'raw' : input.from.format);
  if (!(FILE_FORMATS as readonly string[]).includes(format)) return fail('INVALID_ARGUMENT', `unsupported volume format ${format}`);
  if (input.from.type !== 'file' && input.from.type !== 'block') return fail('INVALID_ARGUMENT', `cannot copy a ${input.from.type} volume`);
  const bad = reserved(input.name);
  if (bad) return bad;
  const taken = await exists(fs, input.name);
  if (!taken.ok) return taken;
  if (taken.value) return fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`);
  const srcFormat = input.from.type === 'block' ? 'raw' : input.from.format;
  // qemu-img convert keeps holes (sparse output) and converts formats; -p reports progress. It
  // writes the partial name; the copy takes the volume's name only once whole.
  const tmp = partialName(input.name);
  const r = await ctx.$.with(qemuImgProgress(ctx))`${convertArgv({ path: input.from.path, format: srcFormat }, fs.path(tmp), format)}`;
  if (r.failed) {
    // Partial output is removed, whatever stopped the copy (error, timeout, cancel).
    await fs.unlink(tmp);
    return failedCommand(r, `copying ${input.from.name} to ${input.name}`);
  }
  return (await publish(ctx, fs, tmp, input.name, input.pool.name, r)) ?? planned(fs, input.name, format, input.from.capacity);
}

export async function snapshotVolume(s: QemuImgSeries, ctx: ScriptletContext, input: OpInput<'vol.snapshot'>): Promise<ScriptletResult<{ volume: Volume }>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  if (input.from.type !== 'file' && input.from.type !== 'block') return fail('INVALID_ARGUMENT', `cannot snapshot a ${input.from.type} volume`);
  const bad = reserved(input.name);
  if (bad) return bad;
  const taken = await exists(fs, input.name);
  if (!taken.ok) return taken;
  if (taken.value) return fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`);
  const backing = { path: input.from.path, format: input.from.type === 'block' ? 'raw' : input.from.format };
  const tmp = partialName(input.name);
  const r = await ctx.$`${createArgv(s, fs.path(tmp), 'qcow2', null, backing)}`;
  if (r.failed) {
    await fs.unlink(tmp);
    return failedCommand(r, `creating overlay ${input.name} on ${input.from.name}`);
  }
  return (await publish(ctx, fs, tmp, input.name, input.pool.name, r)) ?? planned(fs, input.name, 'qcow2', input.from.capacity, backing);
}

export async function resizeVolume(ctx: ScriptletContext, input: OpInput<'vol.resize'>): Promise<ScriptletResult<{ volume: Volume }>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  const v = input.volume;
  if (v.type !== 'file') return fail('UNSUPPORTED', `cannot resize a ${v.type} volume`);
  const shrinking = input.capacity < v.capacity;
  if (shrinking && !input.shrink) return fail('INVALID_ARGUMENT', `new capacity ${input.capacity} is smaller than ${v.capacity}: pass shrink: true to shrink`);
  if (input.capacity === v.capacity) return done({ volume: v });
  if (input.allocate && shrinking) return fail('INVALID_ARGUMENT', 'allocate applies to growing a volume, not shrinking it');
  const r = await ctx.$`${resizeArgv(v.path, v.format, input.capacity, shrinking, input.allocate === true)}`;
  if (r.failed) return failedCommand(r, `resizing ${v.name}`);
  if (ctx.dryRun) return done({ volume: { ...v, capacity: input.capacity } });
  return describe(fs, v.name, r);
}

export async function wipeVolume(s: QemuImgSeries, ctx: ScriptletContext, input: OpInput<'vol.wipe'>): Promise<ScriptletResult<Record<string, never>>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  const v = input.volume;
  if (v.type !== 'file') return fail('UNSUPPORTED', `cannot wipe a ${v.type} volume`);
  if (input.algorithm === 'trim') return fail('UNSUPPORTED', 'wipe algorithm trim is not offered for file volumes (libvirt offers it for none of them either)');
  if (v.format === 'raw' && (input.algorithm === 'zero' || input.algorithm === 'random')) {
    const r = await fs.overwrite(v.name, v.capacity, input.algorithm);
    return r.ok ? done({}) : fsFailed(r);
  }
  if (v.format === 'raw') {
    // The multi-pass patterns are scrub's, run as libvirt runs it (`scrub -f -p PATTERN PATH`).
    const r = await ctx.$`scrub -f -p ${input.algorithm} ${v.path}`;
    if (r.exitCode === 127 && r.stderr === 'scrub: not found') return fail('UNSUPPORTED', `wipe algorithm ${input.algorithm} needs scrub, which is not installed (Debian package scrub)`);
    return r.failed ? failedCommand(r, `wiping ${v.name} (${input.algorithm})`) : done({});
  }
  // An image format's data is wiped by making the image anew (same size, same backing): its
  // structure stays valid and every guest-visible byte reads as zero.
  if (input.algorithm !== 'zero') return fail('UNSUPPORTED', `wipe algorithm ${input.algorithm} is only offered for raw volumes`);
  const r = await ctx.$`${createArgv(s, v.path, v.format, v.capacity, v.backingStore)}`;
  return r.failed ? failedCommand(r, `wiping ${v.name}`) : done({});
}

/** `qemu-img ... -p` prints "    (12.50/100%)" as it goes: each is reported as progress of 100. */
const PROGRESS = /\((\d+(?:\.\d+)?)\/100%\)/g;

/** Command options that read qemu-img's `-p` progress from its stdout as it arrives. */
export function qemuImgProgress(ctx: Pick<ScriptletContext, 'progress'>): CommandOptions {
  return {
    onStdout: (chunk) => {
      for (const m of chunk.matchAll(PROGRESS)) ctx.progress(Number(m[1]), 100);
    }
  };
}
