// File-volume operations through qemu-img, shared by the qemu-img series. The series differ in
// how a backing file's format is given: before 6.1 `-b` alone was accepted (the format probed);
// 6.1 made `-F` mandatory with `-b` (QEMU 6.1 changelog: "qemu-img: creating an image with a
// backing file now requires the backing format"). Everything else is the same logic.
import { done, fail, fsFailed, toolFailed } from '../../runner/scriptlet/api.js';
import type { CommandResult, OpInput, ScriptletContext, ScriptletResult, PoolFs } from '../../runner/scriptlet/api.js';
import type { Volume } from '../../runner/contracts/generated.js';
import { describeFile, joinPath, volumeFromStat } from './file-volume.js';

export interface QemuImgSeries {
  /** Pass `-F fmt` with `-b`. */
  backingFormatFlag: boolean;
}

/** The runner's zero-writing allocate limit (ctx.fs.allocate); fallocate(1) beyond it. */
export const MAX_ZERO_ALLOCATE = 256 * 1024 * 1024;

export const FILE_FORMATS = ['raw', 'qcow2', 'qcow', 'qed', 'vmdk', 'vpc', 'vdi', 'vhdx'] as const;

export function createArgv(s: QemuImgSeries, path: string, format: string, capacity: number | null, backing?: { path: string; format?: string | undefined }, allocation?: number): string[] {
  const argv = ['qemu-img', 'create', '-f', format];
  if (backing) {
    argv.push('-b', backing.path);
    if (s.backingFormatFlag) argv.push('-F', backing.format ?? 'raw');
  }
  // Asked-for allocation on a qcow2 image: preallocate metadata (what libvirt does).
  if (allocation && allocation > 0 && format === 'qcow2') argv.push('-o', 'preallocation=metadata');
  // Paths are absolute (the pool's target + a checked name), so none can be read as an option
  // or as a protocol prefix ("nbd:..."): no `--` needed, and argv stays what people type.
  argv.push(path);
  if (capacity !== null) argv.push(String(capacity));
  return argv;
}

export function convertArgv(src: { path: string; format: string }, dst: string, format: string): string[] {
  return ['qemu-img', 'convert', '-p', '-f', src.format, '-O', format, src.path, dst];
}

export function resizeArgv(path: string, format: string, capacity: number, shrink: boolean): string[] {
  return ['qemu-img', 'resize', ...(shrink ? ['--shrink'] : []), '-f', format, path, String(capacity)];
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

/** The volume a command just made or changed, read back from the pool. */
async function describe(fs: PoolFs, name: string, made: CommandResult): Promise<ScriptletResult<{ volume: Volume }>> {
  const st = await fs.stat(name);
  if (!st.ok) return fsFailed(st);
  // The tool said it succeeded, and there is nothing: its answer cannot be trusted.
  if (!st.value) return fail('TOOL_FAILED', `${made.argv[0] ?? 'the tool'} reported success, but volume ${name} is not in the pool`, made);
  const v = await describeFile(fs, st.value);
  if (!v.ok) return fsFailed(v);
  if (!v.value) return fail('INTERNAL', `${name} is not a file after it was made`);
  return done({ volume: v.value });
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
  const format = input.format ?? 'raw';
  if (!(FILE_FORMATS as readonly string[]).includes(format)) return fail('INVALID_ARGUMENT', `unsupported volume format ${format} (${FILE_FORMATS.join(', ')})`);
  const path = fs.path(input.name);
  const allocation = input.allocation ?? 0;
  if (format === 'raw' && !input.backingStore) {
    // A raw file is made directly: sparse, then allocated if asked (as libvirt does, no qemu-img).
    // The exclusive create is the existence check (VOLUME_EXISTS), and it answers with the stat.
    const made = await fs.createFile(input.name, input.capacity, 0o600);
    if (!made.ok) return made.code === 'VOLUME_EXISTS' ? fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`) : fsFailed(made);
    const want = Math.min(allocation, input.capacity);
    if (want > 0 && want <= MAX_ZERO_ALLOCATE) {
      // Small allocations are written as zeros by the runner: no process per volume.
      const a = await fs.allocate(input.name, want);
      if (!a.ok) {
        await fs.unlink(input.name);
        return fsFailed(a);
      }
      if (ctx.dryRun) return planned(fs, input.name, format, input.capacity);
      const vol = volumeFromStat(fs.root, a.value);
      return vol ? done({ volume: vol }) : fail('INTERNAL', `${input.name} is not a file after it was made`);
    }
    if (want > 0) {
      const r = await ctx.$`fallocate -l ${want} -- ${path}`;
      if (r.failed) {
        await fs.unlink(input.name);
        return failedCommand(r, `allocating ${input.name}`);
      }
      if (ctx.dryRun) return planned(fs, input.name, format, input.capacity);
      return describe(fs, input.name, r);
    }
    if (ctx.dryRun) return planned(fs, input.name, format, input.capacity);
    const vol = volumeFromStat(fs.root, made.value);
    return vol ? done({ volume: vol }) : fail('INTERNAL', `${input.name} is not a file after it was made`);
  }
  const taken = await exists(fs, input.name);
  if (!taken.ok) return taken;
  if (taken.value) return fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`);
  if (format === 'raw') return fail('INVALID_ARGUMENT', 'a raw volume cannot have a backing store: use qcow2');
  const argv = createArgv(s, path, format, input.capacity > 0 || !input.backingStore ? input.capacity : null, input.backingStore, allocation);
  const r = await ctx.$`${argv}`;
  if (r.failed) {
    await fs.unlink(input.name);
    return failedCommand(r, `creating ${input.name}`);
  }
  if (ctx.dryRun) return planned(fs, input.name, format, input.capacity, input.backingStore);
  return describe(fs, input.name, r);
}

export async function copyVolume(ctx: ScriptletContext, input: OpInput<'vol.copy'>): Promise<ScriptletResult<{ volume: Volume }>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  const format = input.format ?? (input.from.format === 'dir' ? 'raw' : input.from.format);
  if (!(FILE_FORMATS as readonly string[]).includes(format)) return fail('INVALID_ARGUMENT', `unsupported volume format ${format}`);
  if (input.from.type !== 'file' && input.from.type !== 'block') return fail('INVALID_ARGUMENT', `cannot copy a ${input.from.type} volume`);
  const taken = await exists(fs, input.name);
  if (!taken.ok) return taken;
  if (taken.value) return fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`);
  const srcFormat = input.from.type === 'block' ? 'raw' : input.from.format;
  // qemu-img convert keeps holes (sparse output) and converts formats; -p reports progress.
  const r = await ctx.$.with({ progress: 'qemu-img' })`${convertArgv({ path: input.from.path, format: srcFormat }, fs.path(input.name), format)}`;
  if (r.failed) {
    // Partial output is removed, whatever stopped the copy (error, timeout, cancel).
    await fs.unlink(input.name);
    return failedCommand(r, `copying ${input.from.name} to ${input.name}`);
  }
  if (ctx.dryRun) return planned(fs, input.name, format, input.from.capacity);
  return describe(fs, input.name, r);
}

export async function snapshotVolume(s: QemuImgSeries, ctx: ScriptletContext, input: OpInput<'vol.snapshot'>): Promise<ScriptletResult<{ volume: Volume }>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  if (input.from.type !== 'file' && input.from.type !== 'block') return fail('INVALID_ARGUMENT', `cannot snapshot a ${input.from.type} volume`);
  const taken = await exists(fs, input.name);
  if (!taken.ok) return taken;
  if (taken.value) return fail('VOLUME_EXISTS', `volume ${input.name} already exists in pool ${input.pool.name}`);
  const backing = { path: input.from.path, format: input.from.type === 'block' ? 'raw' : input.from.format };
  const r = await ctx.$`${createArgv(s, fs.path(input.name), 'qcow2', null, backing)}`;
  if (r.failed) {
    await fs.unlink(input.name);
    return failedCommand(r, `creating overlay ${input.name} on ${input.from.name}`);
  }
  if (ctx.dryRun) return planned(fs, input.name, 'qcow2', input.from.capacity, backing);
  return describe(fs, input.name, r);
}

export async function resizeVolume(ctx: ScriptletContext, input: OpInput<'vol.resize'>): Promise<ScriptletResult<{ volume: Volume }>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  const v = input.volume;
  if (v.type !== 'file') return fail('UNSUPPORTED', `cannot resize a ${v.type} volume`);
  const shrinking = input.capacity < v.capacity;
  if (shrinking && !input.shrink) return fail('INVALID_ARGUMENT', `new capacity ${input.capacity} is smaller than ${v.capacity}: pass shrink: true to shrink`);
  if (input.capacity === v.capacity) return done({ volume: v });
  const r = await ctx.$`${resizeArgv(v.path, v.format, input.capacity, shrinking)}`;
  if (r.failed) return failedCommand(r, `resizing ${v.name}`);
  if (ctx.dryRun) return done({ volume: { ...v, capacity: input.capacity } });
  return describe(fs, v.name, r);
}

export async function wipeVolume(s: QemuImgSeries, ctx: ScriptletContext, input: OpInput<'vol.wipe'>): Promise<ScriptletResult<Record<string, never>>> {
  const fs = ctx.fs;
  if (!fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
  const v = input.volume;
  if (v.type !== 'file') return fail('UNSUPPORTED', `cannot wipe a ${v.type} volume`);
  if (v.format === 'raw') {
    const r = await fs.overwrite(v.name, v.capacity, input.algorithm);
    return r.ok ? done({}) : fsFailed(r);
  }
  // An image format's data is wiped by making the image anew (same size, same backing): its
  // structure stays valid and every guest-visible byte reads as zero.
  if (input.algorithm !== 'zero') return fail('UNSUPPORTED', `wipe algorithm ${input.algorithm} is only offered for raw volumes`);
  const r = await ctx.$`${createArgv(s, v.path, v.format, v.capacity, v.backingStore)}`;
  return r.failed ? failedCommand(r, `wiping ${v.name}`) : done({});
}
