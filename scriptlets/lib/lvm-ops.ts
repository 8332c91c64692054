// The logical pool's operations, shared by every lvm2 series: each scriptlet passes its series'
// dialect (scriptlets/lvm2-<first>/dialect.ts: how it asks for and reads reports, what lvcreate
// needs so it never prompts) and these run the commands through the context they are given.
// No I/O of their own: every command goes through ctx.$ (changes) or ctx.query (reads).
import type { CommandResult, OpInput, OpOutput, ScriptletContext, ScriptletResult, Shell } from '../../runner/scriptlet/api.js';
import { done, fail, toolFailed } from '../../runner/scriptlet/api.js';
import type { ErrorCode } from '../../runner/contracts/generated.js';
import type { LvmDialect, ReportKind } from './lvm.js';
import {
  LV_DETAIL_FIELDS,
  LV_FIELDS,
  PV_FIELDS,
  VG_FIELDS,
  lvPath,
  lvcreateLinearArgs,
  lvcreateSnapshotArgs,
  lvcreateThinArgs,
  lvcreateThinWithPoolArgs,
  lvmNameProblem,
  lvremoveArgs,
  lvresizeArgs,
  pvcreateArgs,
  pvremoveArgs,
  reportArgs,
  vgNameOf,
  vgchangeArgs,
  vgcreateArgs,
  vgremoveArgs
} from './lvm.js';
import type { LvDetails, LvVolume, PvInfo, Row, VgInfo } from './lvm-report.js';
import { detailsFromRows, needsDetails, pvFromRow, sourcesFromPvs, vgFromRow, volumeFromRow } from './lvm-report.js';
import type { LvmOperationKind } from './lvm-errors.js';
import { classifyLvmFailure, firstReason } from './lvm-errors.js';
import { qemuImgProgress } from './qemu-img.js';
import { blkidSignature, chunkRanges, ddWipeArgs, qemuImgConvertArgs, qemuSourceFormat, wipefsArgs } from './lvm-data.js';

type Failure = { ok: false; error: { code: ErrorCode; message: string; command?: CommandResult } };
type Res<T> = ScriptletResult<T>;

const run = (shell: Shell, argv: readonly string[]): Promise<CommandResult> => shell`${argv}`;

/** A failed lvm2 command as the spec's error: a known message's code, else TOOL_FAILED. */
export function lvmFailed(result: CommandResult, what: string, kind: LvmOperationKind): Failure {
  if (result.timedOut) return toolFailed(result, what) as Failure;
  const c = classifyLvmFailure(result, kind);
  if (c && c.code !== 'GONE' && c.code !== 'SAME_SIZE') return fail(c.code, `${what}: ${c.reason}`, result) as Failure;
  const reason = firstReason(result);
  return fail('TOOL_FAILED', `${what} failed (exit ${result.exitCode ?? result.signal})${reason ? `: ${reason}` : ''}`, result) as Failure;
}

function badOutput(result: CommandResult, what: string, problem: string): Failure {
  return fail('TOOL_FAILED', `${what}: could not read the output of ${result.argv[0]} (${problem})`, result) as Failure;
}

async function report(
  ctx: ScriptletContext,
  d: LvmDialect,
  kind: ReportKind,
  fields: readonly string[],
  target: string[] = []
): Promise<{ ok: true; rows: Row[]; result: CommandResult } | Failure> {
  const result = await run(ctx.query, reportArgs(kind, fields, d, ctx.host, target));
  if (result.failed) return lvmFailed(result, `${kind}s`, 'report');
  const parsed = d.parseReport(kind, fields, result.stdout);
  if (!parsed.ok) return badOutput(result, `${kind}s`, parsed.problem);
  return { ok: true, rows: parsed.rows, result };
}

function checkVgName(vg: string): Failure | null {
  const problem = lvmNameProblem(vg, 'volume group');
  return problem ? (fail('INVALID_ARGUMENT', `${problem}; set <source><name> to the VG's name`) as Failure) : null;
}

function checkLvName(name: string): Failure | null {
  const problem = lvmNameProblem(name, 'logical volume');
  return problem ? (fail('INVALID_ARGUMENT', problem) as Failure) : null;
}

const noDeviceMapper = (what: string): Failure =>
  fail(
    'UNSUPPORTED',
    `${what} needs LVM activation, and this host has no device-mapper (/dev/mapper/control): logical volumes can be created, resized and removed here but not activated`
  ) as Failure;

// ---------------------------------------------------------------------------------------------
// Listing

async function allVgs(ctx: ScriptletContext, d: LvmDialect): Promise<{ ok: true; vgs: VgInfo[]; result: CommandResult } | Failure> {
  const r = await report(ctx, d, 'vg', VG_FIELDS);
  if (!r.ok) return r;
  const vgs: VgInfo[] = [];
  for (const row of r.rows) {
    const vg = vgFromRow(row);
    if (typeof vg === 'string') return badOutput(r.result, 'vgs', vg);
    vgs.push(vg);
  }
  return { ok: true, vgs, result: r.result };
}

async function allPvs(ctx: ScriptletContext, d: LvmDialect): Promise<{ ok: true; pvs: PvInfo[] } | Failure> {
  const r = await report(ctx, d, 'pv', PV_FIELDS);
  if (!r.ok) return r;
  const pvs: PvInfo[] = [];
  for (const row of r.rows) {
    const pv = pvFromRow(row);
    if (typeof pv === 'string') return badOutput(r.result, 'pvs', pv);
    pvs.push(pv);
  }
  return { ok: true, pvs };
}

async function findVg(ctx: ScriptletContext, d: LvmDialect, vg: string): Promise<{ ok: true; vg: VgInfo } | Failure> {
  const r = await allVgs(ctx, d);
  if (!r.ok) return r;
  const found = r.vgs.find((v) => v.name === vg);
  if (!found) return fail('NO_POOL', `volume group "${vg}" not found (build the pool, or set <source><name> to an existing VG)`, r.result) as Failure;
  return { ok: true, vg: found };
}

/**
 * The volumes of a VG: one lvs report with the recorded fields, then, only
 * when it shows thin pools, thin volumes or snapshots, a second one with their details.
 */
async function listVolumes(
  ctx: ScriptletContext,
  d: LvmDialect,
  vg: string,
  poolName: string
): Promise<{ ok: true; volumes: LvVolume[] } | Failure> {
  const r = await report(ctx, d, 'lv', LV_FIELDS, [vg]);
  if (!r.ok) return r;
  const rows = r.rows.filter((row) => (row['vg_name'] ?? vg) === vg);
  let details = new Map<string, LvDetails>();
  if (rows.some((row) => needsDetails(row['lv_attr'] ?? ''))) {
    const dr = await report(ctx, d, 'lv', LV_DETAIL_FIELDS, [vg]);
    if (!dr.ok) return dr;
    details = detailsFromRows(dr.rows);
  }
  const volumes: LvVolume[] = [];
  for (const row of rows) {
    const v = volumeFromRow(row, vg, details.get(row['lv_uuid'] ?? ''), poolName);
    if (v === null) continue;
    if (typeof v === 'string') return badOutput(r.result, 'lvs', v);
    volumes.push(v);
  }
  return { ok: true, volumes };
}

/**
 * The volume a change made, from a fresh report. Under dryRun nothing was made: the answer is
 * the volume as planned (the runner returns only the plan).
 */
async function volumeNamed(
  ctx: ScriptletContext,
  d: LvmDialect,
  vg: string,
  poolName: string,
  name: string,
  what: string,
  planned: { capacity: number; allocation?: number }
): Promise<Res<{ volume: LvVolume }>> {
  if (ctx.dryRun) {
    const path = lvPath(vg, name);
    return done({ volume: { pool: poolName, name, key: path, path, type: 'block', capacity: planned.capacity, allocation: planned.allocation ?? planned.capacity, format: 'lvm2', extra: { planned: true } } });
  }
  const l = await listVolumes(ctx, d, vg, poolName);
  if (!l.ok) return l;
  const volume = l.volumes.find((v) => v.name === name);
  if (!volume) return fail('NO_VOLUME', `${what}: logical volume "${vg}/${name}" is not in the report after the change`);
  return done({ volume });
}

// ---------------------------------------------------------------------------------------------
// Pool operations

export async function poolBuild(ctx: ScriptletContext, input: OpInput<'pool.build'>, d: LvmDialect): Promise<Res<OpOutput<'pool.build'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  const devices = (input.pool.source?.devices ?? []).map((dev) => dev.path);
  if (devices.length === 0) return fail('INVALID_ARGUMENT', 'building a logical pool needs at least one <source><device path=.../>');
  if (new Set(devices).size !== devices.length) return fail('INVALID_ARGUMENT', 'a source device is listed twice');

  if (!input.overwrite) {
    // Any signature (a PV label, a file system, a partition table) means data: ALREADY_BUILT.
    for (const dev of devices) {
      const probe = await run(ctx.query, ['blkid', '-p', '-o', 'export', dev]);
      if (probe.exitCode === 2) continue; // nothing found
      const sig = blkidSignature(probe);
      if (sig === null) return toolFailed(probe, `probing ${dev} for signatures`);
      return fail('ALREADY_BUILT', `${dev} already holds ${sig}; build with overwrite to wipe it`, probe);
    }
  } else {
    // Never wipe a PV that belongs to a VG: that VG (maybe this pool's) has to be deleted first.
    const pvs = await allPvs(ctx, d);
    if (!pvs.ok) return pvs;
    for (const dev of devices) {
      const pv = pvs.pvs.find((p) => p.name === dev);
      if (pv && pv.vg !== '') {
        return fail('POOL_BUSY', `${dev} is a physical volume of volume group "${pv.vg}"; delete that pool (or vgremove it) first`);
      }
    }
    for (const dev of devices) {
      const w = await run(ctx.$, wipefsArgs(dev));
      if (w.failed) return toolFailed(w, `wiping signatures from ${dev}`);
    }
  }

  const pc = await run(ctx.$, pvcreateArgs(ctx.host, devices));
  if (pc.failed) {
    await rollbackPvs(ctx, d, devices);
    return lvmFailed(pc, `pvcreate ${devices.join(' ')}`, 'pv');
  }
  const vc = await run(ctx.$, vgcreateArgs(ctx.host, vg, devices));
  if (vc.failed) {
    await rollbackPvs(ctx, d, devices);
    return lvmFailed(vc, `vgcreate ${vg}`, 'vg');
  }
  return done({});
}

/** After a failed build: remove the PV labels this build made (orphan PVs on its devices). */
async function rollbackPvs(ctx: ScriptletContext, d: LvmDialect, devices: readonly string[]): Promise<void> {
  if (ctx.dryRun) return;
  const pvs = await allPvs(ctx, d);
  if (!pvs.ok) return;
  const ours = devices.filter((dev) => pvs.pvs.some((p) => p.name === dev && p.vg === ''));
  if (ours.length > 0) await run(ctx.$, pvremoveArgs(ctx.host, ours));
}

export async function poolStart(ctx: ScriptletContext, input: OpInput<'pool.start'>, d: LvmDialect): Promise<Res<OpOutput<'pool.start'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  if (!ctx.host.deviceMapper) {
    // Nothing can be activated: the pool runs on metadata alone once its VG is there.
    const found = await findVg(ctx, d, vg);
    return found.ok ? done({}) : found;
  }
  const r = await run(ctx.$, vgchangeArgs(ctx.host, vg, true));
  if (r.failed) return lvmFailed(r, `activating volume group ${vg}`, 'vg');
  return done({});
}

export async function poolStop(ctx: ScriptletContext, input: OpInput<'pool.stop'>, _d: LvmDialect): Promise<Res<OpOutput<'pool.stop'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  if (!ctx.host.deviceMapper) return done({}); // nothing was activated
  const r = await run(ctx.$, vgchangeArgs(ctx.host, vg, false));
  if (r.failed) {
    const c = classifyLvmFailure(r, 'vg');
    if (c?.code === 'NO_POOL') return done({}); // a VG that is gone has nothing active
    return lvmFailed(r, `deactivating volume group ${vg}`, 'vg');
  }
  return done({});
}

export async function poolRefresh(ctx: ScriptletContext, input: OpInput<'pool.refresh'>, d: LvmDialect): Promise<Res<OpOutput<'pool.refresh'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  const found = await findVg(ctx, d, vg);
  if (!found.ok) return found;
  const { size, free } = found.vg;
  return done({ sizes: { capacity: size, allocation: size - free, available: free } });
}

export async function poolDelete(ctx: ScriptletContext, input: OpInput<'pool.delete'>, d: LvmDialect): Promise<Res<OpOutput<'pool.delete'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  // Deleting a pool never takes volumes with it (like rmdir of a non-empty directory).
  const lvs = await report(ctx, d, 'lv', LV_FIELDS, [vg]);
  if (!lvs.ok) return lvs;
  const names = lvs.rows.map((r) => r['lv_name'] ?? '').filter((n) => n !== '');
  if (names.length > 0) {
    return fail('POOL_BUSY', `volume group "${vg}" still holds ${names.length} volume(s) (${names.join(', ')}); delete them first`, lvs.result);
  }
  let devices = (input.pool.source?.devices ?? []).map((dev) => dev.path);
  if (devices.length === 0) {
    const pvs = await allPvs(ctx, d);
    if (!pvs.ok) return pvs;
    devices = pvs.pvs.filter((p) => p.vg === vg).map((p) => p.name);
  }
  const vr = await run(ctx.$, vgremoveArgs(ctx.host, vg));
  if (vr.failed) return lvmFailed(vr, `vgremove ${vg}`, 'vg');
  if (devices.length > 0) {
    const pr = await run(ctx.$, pvremoveArgs(ctx.host, devices));
    if (pr.failed && classifyLvmFailure(pr, 'pv')?.code !== 'GONE') return lvmFailed(pr, `pvremove ${devices.join(' ')}`, 'pv');
  }
  return done({});
}

export async function poolFindSources(ctx: ScriptletContext, input: OpInput<'pool.findSources'>, d: LvmDialect): Promise<Res<OpOutput<'pool.findSources'>>> {
  const pvs = await allPvs(ctx, d);
  if (!pvs.ok) return pvs;
  return done({ sources: sourcesFromPvs(pvs.pvs, input.device) });
}

// ---------------------------------------------------------------------------------------------
// Volume operations

export async function volList(ctx: ScriptletContext, input: OpInput<'vol.list'>, d: LvmDialect): Promise<Res<OpOutput<'vol.list'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  const l = await listVolumes(ctx, d, vg, input.pool.name);
  return l.ok ? done({ volumes: l.volumes }) : l;
}

export async function volGet(ctx: ScriptletContext, input: OpInput<'vol.get'>, d: LvmDialect): Promise<Res<OpOutput<'vol.get'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  if (lvmNameProblem(input.name, 'logical volume')) return fail('NO_VOLUME', `no logical volume "${input.name}" in ${vg}: not a valid LV name`);
  // The VG's report, as for vol.list: one form of lvs for every lookup (and for the goldens).
  const l = await listVolumes(ctx, d, vg, input.pool.name);
  if (!l.ok) return l;
  const volume = l.volumes.find((v) => v.name === input.name);
  return volume ? done({ volume }) : fail('NO_VOLUME', `no logical volume "${input.name}" in volume group ${vg}`);
}

const OUR_FORMATS = new Set(['raw', 'lvm2']);

/** A free thin pool name for a pool the agent makes: thinpool, thinpool1, ... */
export function freeThinPoolName(taken: readonly string[]): string {
  for (let i = 0; ; i++) {
    const n = i === 0 ? 'thinpool' : `thinpool${i}`;
    if (!taken.includes(n)) return n;
  }
}

/** Below this a new thin pool is not worth making: lvm2's default extent. */
const MIN_THIN_POOL = 4 * 1024 * 1024;

/**
 * lvcreate for a new volume. Without device-mapper: linear only (thin pools cannot be used, so
 * none is looked for). With it: thin in the VG's thin pool when it has one (or the one named by
 * extra.thinPool), thin with a new thin pool of `allocation` bytes when allocation < capacity,
 * linear otherwise.
 */
async function createLv(
  ctx: ScriptletContext,
  d: LvmDialect,
  vg: string,
  poolName: string,
  spec: { name: string; capacity: number; allocation?: number; thinPool?: string }
): Promise<{ ok: true } | Failure> {
  const sparse = spec.allocation !== undefined && spec.allocation < spec.capacity;
  let argv: string[];
  if (!ctx.host.deviceMapper) {
    if (sparse || spec.thinPool !== undefined) return noDeviceMapper('a thin (sparse) volume, allocation < capacity,');
    argv = lvcreateLinearArgs(ctx.host, d, vg, spec.name, spec.capacity);
  } else {
    const l = await listVolumes(ctx, d, vg, poolName);
    if (!l.ok) return l;
    if (l.volumes.some((v) => v.name === spec.name)) return fail('VOLUME_EXISTS', `logical volume "${vg}/${spec.name}" already exists`) as Failure;
    const thinPools = l.volumes.filter((v) => v.extra['lvType'] === 'thin-pool').map((v) => v.name);
    if (spec.thinPool !== undefined && !thinPools.includes(spec.thinPool)) {
      return fail('INVALID_ARGUMENT', `extra.thinPool "${spec.thinPool}" is not a thin pool of ${vg}`) as Failure;
    }
    const pool = spec.thinPool ?? thinPools[0];
    if (pool !== undefined) {
      argv = lvcreateThinArgs(ctx.host, d, vg, pool, spec.name, spec.capacity);
    } else if (sparse) {
      const newPool = freeThinPoolName(l.volumes.map((v) => v.name));
      argv = lvcreateThinWithPoolArgs(ctx.host, d, vg, newPool, Math.max(spec.allocation ?? 0, MIN_THIN_POOL), spec.name, spec.capacity);
    } else {
      argv = lvcreateLinearArgs(ctx.host, d, vg, spec.name, spec.capacity);
    }
  }
  const r = await run(ctx.$, argv);
  if (r.failed) return lvmFailed(r, `creating logical volume ${vg}/${spec.name}`, 'lv');
  return { ok: true };
}

export async function volCreate(ctx: ScriptletContext, input: OpInput<'vol.create'>, d: LvmDialect): Promise<Res<OpOutput<'vol.create'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg) ?? checkLvName(input.name);
  if (bad) return bad;
  if (input.format !== undefined && !OUR_FORMATS.has(input.format)) {
    return fail('INVALID_ARGUMENT', `a logical volume holds raw data: format "${input.format}" is not available in a logical pool (use raw)`);
  }
  if (input.capacity <= 0) return fail('INVALID_ARGUMENT', 'capacity must be a positive number of bytes');
  if (input.allocation !== undefined && input.allocation > input.capacity) {
    return fail('INVALID_ARGUMENT', 'allocation may not exceed capacity');
  }
  if (input.backingStore) {
    // libvirt's vol-create-as --backing-vol on a logical pool: a snapshot of that LV.
    const origin = originIn(vg, input.backingStore.path);
    if (origin === null) return fail('INVALID_ARGUMENT', `backing volume ${input.backingStore.path} is not a logical volume of ${vg} (/dev/${vg}/NAME)`);
    if (!ctx.host.deviceMapper) return noDeviceMapper('an LVM snapshot');
    const r = await run(ctx.$, lvcreateSnapshotArgs(ctx.host, d, vg, origin, input.name, { thin: false, size: input.allocation || input.capacity }));
    if (r.failed) return lvmFailed(r, `creating snapshot ${vg}/${input.name} of ${origin}`, 'lv');
    return volumeNamed(ctx, d, vg, input.pool.name, input.name, 'vol.create', { capacity: input.capacity });
  }
  const thinPool = input.extra?.['thinPool'];
  const c = await createLv(ctx, d, vg, input.pool.name, {
    name: input.name,
    capacity: input.capacity,
    ...(input.allocation !== undefined ? { allocation: input.allocation } : {}),
    ...(thinPool !== undefined ? { thinPool } : {})
  });
  if (!c.ok) return c;
  return volumeNamed(ctx, d, vg, input.pool.name, input.name, 'vol.create', {
    capacity: input.capacity,
    ...(input.allocation !== undefined ? { allocation: input.allocation } : {})
  });
}

/** The LV name when `path` is /dev/VG/NAME of this VG, else null. */
export function originIn(vg: string, path: string): string | null {
  const prefix = `/dev/${vg}/`;
  if (!path.startsWith(prefix)) return null;
  const name = path.slice(prefix.length);
  return /^[A-Za-z0-9+_.-]+$/.test(name) ? name : null;
}

/** The volume's LV name in this VG, checked against its path. */
function lvOf(vg: string, volume: { name: string; path: string }): string | Failure {
  if (!/^[A-Za-z0-9+_.-]+$/.test(volume.name) || volume.path !== lvPath(vg, volume.name)) {
    return fail('NO_VOLUME', `volume ${volume.path} is not a logical volume of volume group ${vg}`) as Failure;
  }
  return volume.name;
}

export async function volDelete(ctx: ScriptletContext, input: OpInput<'vol.delete'>, d: LvmDialect): Promise<Res<OpOutput<'vol.delete'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  const lv = lvOf(vg, input.volume);
  if (typeof lv !== 'string') return lv;
  // lvremove -f would take an origin's snapshots and a thin pool's volumes with it.
  const attr = String(input.volume.extra?.['lvAttr'] ?? '');
  if (attr.startsWith('o') || attr.startsWith('O')) {
    return fail('POOL_BUSY', `${vg}/${lv} has snapshots; delete them first`);
  }
  if (attr.startsWith('t')) {
    const dr = await report(ctx, d, 'lv', ['lv_name', 'pool_lv'], [vg]);
    if (!dr.ok) return dr;
    const users = dr.rows.filter((r) => r['pool_lv'] === lv).map((r) => r['lv_name'] ?? '');
    if (users.length > 0) return fail('POOL_BUSY', `thin pool ${vg}/${lv} holds ${users.join(', ')}; delete them first`, dr.result);
  }
  const r = await run(ctx.$, lvremoveArgs(ctx.host, vg, lv));
  if (r.failed) return lvmFailed(r, `lvremove ${vg}/${lv}`, 'lv');
  return done({});
}

export async function volResize(ctx: ScriptletContext, input: OpInput<'vol.resize'>, d: LvmDialect): Promise<Res<OpOutput<'vol.resize'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  const lv = lvOf(vg, input.volume);
  if (typeof lv !== 'string') return lv;
  const role = String(input.volume.extra?.['lvType'] ?? '');
  if (role.startsWith('snapshot')) {
    return fail('UNSUPPORTED', `${vg}/${lv} is a snapshot: lvresize would change its copy-on-write area, not the size it shows`);
  }
  const current = input.volume.capacity;
  const target = input.capacity;
  if (target <= 0) return fail('INVALID_ARGUMENT', 'capacity must be a positive number of bytes');
  if (target < current) {
    if (!input.shrink) return fail('INVALID_ARGUMENT', `shrinking ${vg}/${lv} from ${current} to ${target} bytes loses data: pass shrink: true`);
    if (role === 'thin-pool') return fail('UNSUPPORTED', `lvm2 cannot shrink thin pool ${vg}/${lv}`);
  }
  if (target !== current) {
    const change = target > current ? { grow: target - current } : { shrinkTo: target };
    const r = await run(ctx.$, lvresizeArgs(ctx.host, vg, lv, change));
    if (r.failed && classifyLvmFailure(r, 'lv')?.code !== 'SAME_SIZE') return lvmFailed(r, `lvresize ${vg}/${lv}`, 'lv');
  }
  return volumeNamed(ctx, d, vg, input.pool.name, lv, 'vol.resize', { capacity: target });
}

export async function volSnapshot(ctx: ScriptletContext, input: OpInput<'vol.snapshot'>, d: LvmDialect): Promise<Res<OpOutput<'vol.snapshot'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg) ?? checkLvName(input.name);
  if (bad) return bad;
  const origin = originIn(vg, input.from.path);
  if (origin === null) return fail('INVALID_ARGUMENT', `an LVM snapshot is made of a volume of the same volume group: ${input.from.path} is not in ${vg}`);
  if (!ctx.host.deviceMapper) return noDeviceMapper('an LVM snapshot');
  const thin = input.from.extra?.['lvType'] === 'thin';
  const r = await run(ctx.$, lvcreateSnapshotArgs(ctx.host, d, vg, origin, input.name, thin ? { thin: true } : { thin: false, size: input.from.capacity }));
  if (r.failed) return lvmFailed(r, `creating snapshot ${vg}/${input.name} of ${origin}`, 'lv');
  return volumeNamed(ctx, d, vg, input.pool.name, input.name, 'vol.snapshot', { capacity: input.from.capacity });
}

export async function volCopy(ctx: ScriptletContext, input: OpInput<'vol.copy'>, d: LvmDialect): Promise<Res<OpOutput<'vol.copy'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg) ?? checkLvName(input.name);
  if (bad) return bad;
  if (input.format !== undefined && !OUR_FORMATS.has(input.format)) {
    return fail('INVALID_ARGUMENT', `a logical volume holds raw data: format "${input.format}" is not available in a logical pool (use raw)`);
  }
  const srcFormat = qemuSourceFormat(input.from.format);
  if (srcFormat === null) return fail('UNSUPPORTED', `cannot read a volume of format "${input.from.format}"`);
  if (!ctx.host.deviceMapper) return noDeviceMapper('copying data into a logical volume');
  if (input.from.capacity <= 0) return fail('INVALID_ARGUMENT', `source volume ${input.from.path} has no capacity`);
  const c = await createLv(ctx, d, vg, input.pool.name, { name: input.name, capacity: input.from.capacity });
  if (!c.ok) return c;
  const target = lvPath(vg, input.name);
  const cp = await run(ctx.$.with(qemuImgProgress(ctx)), qemuImgConvertArgs(srcFormat, input.from.path, target));
  if (cp.failed) {
    await run(ctx.$, lvremoveArgs(ctx.host, vg, input.name)); // leave nothing half-copied
    return toolFailed(cp, `copying ${input.from.path} into ${target}`);
  }
  return volumeNamed(ctx, d, vg, input.pool.name, input.name, 'vol.copy', { capacity: input.from.capacity });
}

export async function volWipe(ctx: ScriptletContext, input: OpInput<'vol.wipe'>, _d: LvmDialect): Promise<Res<OpOutput<'vol.wipe'>>> {
  const vg = vgNameOf(input.pool);
  const bad = checkVgName(vg);
  if (bad) return bad;
  const lv = lvOf(vg, input.volume);
  if (typeof lv !== 'string') return lv;
  if (input.volume.extra?.['lvType'] === 'thin-pool') return fail('UNSUPPORTED', `thin pool ${vg}/${lv} has no data of its own to wipe: wipe its volumes`);
  if (!ctx.host.deviceMapper) return noDeviceMapper('wiping a logical volume');
  const path = lvPath(vg, lv);
  const total = input.volume.capacity;
  let written = 0;
  ctx.progress(0, total);
  for (const range of chunkRanges(total)) {
    const r = await run(ctx.$, ddWipeArgs(input.algorithm, path, range.offset, range.length));
    if (r.failed) return toolFailed(r, `wiping ${path} at ${range.offset}`);
    written += range.length;
    ctx.progress(written, total);
  }
  return done({});
}
