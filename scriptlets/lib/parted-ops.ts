// The disk pool's operations, written once for every parted series. A series scriptlet is a
// declaration (range, why, binaries) plus one call here with its dialect: how it prints the
// table (-m with or without the 3.1 disk-flags field, or 3.4.64+ --json) and how it resizes
// (1.x/2.x `resize`, 3.2+ `resizepart`, or not at all). Commands go only through the context
// (ctx.query reads, ctx.$ changes); parsing and planning are the pure functions in parted.ts.
import { done, fail, toolFailed } from '../../runner/scriptlet/api.js';
import type { CommandResult, OpInput, OpOutput, ScriptletContext, ScriptletResult, Shell } from '../../runner/scriptlet/api.js';
import type { PoolDefinition, PoolSource, Volume } from '../../runner/contracts/generated.js';
import {
  availableBytes,
  baseName,
  classifyMessage,
  findPartition,
  labelOfLibvirtFormat,
  libvirtFormatOfLabel,
  mklabelArgv,
  mkpartArgv,
  parseMachine,
  partitionPath,
  partitionVolume,
  planCreate,
  planResize,
  printArgv,
  resizeArgv,
  resizepartArgv,
  rmArgv,
  setFlagArgv,
  SHRINK_STDIN,
  type MachineOptions,
  type ParseResult,
  type PartedPartition,
  type PartedTable
} from './parted.js';

/** The tool as messages name it: "parted 3.5" (the probed version, for people, never compared). */
const partedName = (ctx: ScriptletContext): string => `parted ${ctx.toolVersion}`;

export interface PartedDialect {
  /** Read with --json (3.4.64+) rather than -m. */
  json: boolean;
  /** How `-m` output reads (`parted -l -m` in pool.findSources, and `print` where json is false). */
  machine: MachineOptions;
  /** The table from `print` output, as this series prints it (`-m`, or `--json`). */
  parse(stdout: string): ParseResult;
  /** How vol.resize works: 1.x/2.x `resize`, 3.2+ `resizepart`, or a reason it cannot. */
  resize: { kind: 'resize' } | { kind: 'resizepart' } | { kind: 'none'; why: string };
}

type Failure = { ok: false; error: { code: import('../../runner/contracts/generated.js').ErrorCode; message: string; command?: CommandResult } };

const run = (sh: Shell, argv: string[], stdin?: string): Promise<CommandResult> =>
  stdin === undefined ? sh`${argv}` : sh.with({ stdin })`${argv}`;

interface Device {
  path: string;
  partSeparator: string | undefined;
}

function sourceDevice(pool: PoolDefinition): { ok: true; dev: Device } | Failure {
  const d = pool.source?.devices?.[0];
  if (!d?.path) return fail('INVALID_ARGUMENT', `disk pool '${pool.name}' has no <source><device path=.../></source>`);
  return { ok: true, dev: { path: d.path, partSeparator: d.partSeparator } };
}

/** A failed parted command as a spec error: known messages get their code, the rest TOOL_FAILED. */
function commandFailure(r: CommandResult, what: string, device: string): Failure {
  const known = r.timedOut ? null : classifyMessage(r.stdout, r.stderr);
  if (!known) return toolFailed(r, what);
  if (known.kind === 'NO_LABEL') return fail('INVALID_ARGUMENT', `${device} has no partition table: build the pool first (${known.line})`, r);
  return fail(known.kind, `${what}: ${known.line}`, r);
}

export type TableRead = { ok: true; table: PartedTable } | { ok: false; noLabel: boolean; error: Failure };

export async function readTable(ctx: ScriptletContext, d: PartedDialect, device: string, free: boolean): Promise<TableRead> {
  const r = await run(ctx.query, printArgv(device, free, d.json));
  const parsed: ParseResult = d.parse(r.stdout);
  if (parsed.ok && parsed.table.disk.label !== 'unknown' && !r.timedOut) {
    // 3.x exits non-zero for some "Error:" lines even when it printed the table; a table with
    // a label is what was asked for.
    return { ok: true, table: parsed.table };
  }
  const known = classifyMessage(r.stdout, r.stderr);
  if ((parsed.ok && parsed.table.disk.label === 'unknown') || known?.kind === 'NO_LABEL') {
    return { ok: false, noLabel: true, error: fail('INVALID_ARGUMENT', `${device} has no partition table: build the pool first`, r) };
  }
  if (r.failed) return { ok: false, noLabel: false, error: commandFailure(r, `reading the partition table of ${device}`, device) };
  return { ok: false, noLabel: false, error: fail('TOOL_FAILED', `unreadable parted output for ${device}: ${parsed.ok ? 'no label' : parsed.reason}`, r) };
}

function volumes(table: PartedTable, dev: Device): Volume[] {
  return table.partitions.map((p) => partitionVolume(dev.path, dev.partSeparator, p));
}

function refreshedSource(pool: PoolDefinition, dev: Device, table: PartedTable): PoolSource {
  const format = libvirtFormatOfLabel(table.disk.label);
  const first = {
    ...(pool.source?.devices?.[0] ?? { path: dev.path }),
    path: dev.path,
    freeExtents: table.free.map((r) => ({ start: r.start, end: r.end + 1 }))
  };
  return {
    ...(pool.source ?? {}),
    devices: [first, ...(pool.source?.devices?.slice(1) ?? [])],
    ...(format ? { format } : {})
  };
}

// --- pool operations ---------------------------------------------------------------------------

export async function poolBuild(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'pool.build'>): Promise<ScriptletResult<OpOutput<'pool.build'>>> {
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const dev = got.dev;
  const label = labelOfLibvirtFormat(input.pool.source?.format);
  if (!label) return fail('UNSUPPORTED', `${partedName(ctx)} cannot build a '${input.pool.source?.format}' label (dos, gpt, mac, bsd, pc98, sun, dvh)`);
  const cur = await readTable(ctx, d, dev.path, false);
  if (cur.ok) {
    if (!input.overwrite) {
      const what = cur.table.disk.label === 'loop' ? `a ${cur.table.partitions[0]?.fs || 'file system'} over the whole disk` : `a ${libvirtFormatOfLabel(cur.table.disk.label) ?? cur.table.disk.label} partition table`;
      return fail('ALREADY_BUILT', `${dev.path} already has ${what}; build with overwrite to replace it`);
    }
  } else if (!cur.noLabel) return cur.error;
  const r = await run(ctx.$, mklabelArgv(dev.path, label));
  if (r.failed) return commandFailure(r, `writing a ${label} label on ${dev.path}`, dev.path);
  return done({});
}

export async function poolStart(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'pool.start'>): Promise<ScriptletResult<OpOutput<'pool.start'>>> {
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const cur = await readTable(ctx, d, got.dev.path, false);
  if (!cur.ok) return cur.error;
  const want = input.pool.source?.format;
  const have = libvirtFormatOfLabel(cur.table.disk.label);
  if (want && have !== want) {
    return fail('INVALID_ARGUMENT', `${got.dev.path} has a '${have ?? cur.table.disk.label}' label, the pool says '${want}': build the pool with overwrite, or fix its format`);
  }
  return done({});
}

export async function poolRefresh(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'pool.refresh'>): Promise<ScriptletResult<OpOutput<'pool.refresh'>>> {
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const cur = await readTable(ctx, d, got.dev.path, true);
  if (!cur.ok) return cur.error;
  const t = cur.table;
  const allocation = t.partitions.filter((p) => p.kind !== 'extended').reduce((n, p) => n + p.size, 0);
  return done({
    sizes: { capacity: t.disk.size, allocation, available: availableBytes(t) },
    source: refreshedSource(input.pool, got.dev, t)
  });
}

export async function poolFindSources(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'pool.findSources'>): Promise<ScriptletResult<OpOutput<'pool.findSources'>>> {
  if (input.device) {
    const cur = await readTable(ctx, d, input.device, false);
    if (!cur.ok && !cur.noLabel) return cur.error;
    const format = cur.ok ? libvirtFormatOfLabel(cur.table.disk.label) : null;
    return done({ sources: [{ devices: [{ path: input.device }], ...(format ? { format } : {}) }] });
  }
  // Every disk parted can open: `-l` prints one "BYT;" block per device.
  const r = await run(ctx.query, ['parted', '-s', '-m', '-l']);
  const sources: PoolSource[] = [];
  for (const block of r.stdout.split(/^(?=BYT;$)/m)) {
    const parsed = parseMachine(block, d.machine);
    if (!parsed.ok) continue;
    const format = libvirtFormatOfLabel(parsed.table.disk.label);
    sources.push({ devices: [{ path: parsed.table.disk.path }], ...(format ? { format } : {}) });
  }
  if (r.failed && sources.length === 0 && r.stdout.trim() !== '') return commandFailure(r, 'listing disks', 'disks');
  return done({ sources });
}

// --- volume operations -------------------------------------------------------------------------

export async function volList(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'vol.list'>): Promise<ScriptletResult<OpOutput<'vol.list'>>> {
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const cur = await readTable(ctx, d, got.dev.path, true);
  if (!cur.ok) return cur.error;
  return done({ volumes: volumes(cur.table, got.dev) });
}

export async function volGet(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'vol.get'>): Promise<ScriptletResult<OpOutput<'vol.get'>>> {
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const cur = await readTable(ctx, d, got.dev.path, true);
  if (!cur.ok) return cur.error;
  const v = volumes(cur.table, got.dev).find((x) => x.name === input.name);
  return v ? done({ volume: v }) : fail('NO_VOLUME', `no partition '${input.name}' on ${got.dev.path}`);
}

/** The number parted will give a new partition (used only to describe a dry run). */
function nextNumber(table: PartedTable, kind: PartedPartition['kind']): number {
  const used = new Set(table.partitions.map((p) => p.number));
  if (kind === 'logical') return Math.max(4, ...table.partitions.filter((p) => p.kind === 'logical').map((p) => p.number)) + 1;
  let n = 1;
  while (used.has(n)) n++;
  return n;
}

export async function volCreate(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'vol.create'>): Promise<ScriptletResult<OpOutput<'vol.create'>>> {
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const dev = got.dev;
  const cur = await readTable(ctx, d, dev.path, true);
  if (!cur.ok) return cur.error;
  const planned = planCreate(cur.table, { capacity: input.capacity, format: input.format, extra: input.extra });
  if (!planned.ok) return fail(planned.code, planned.message);
  const plan = planned.plan;
  const r = await run(ctx.$, mkpartArgv(dev.path, plan.first, plan.fsType, plan.startSector, plan.endSector));
  if (r.failed) return commandFailure(r, `creating a partition on ${dev.path}`, dev.path);
  const lss = cur.table.disk.logicalSectorSize;
  const startByte = plan.startSector * lss;
  if (ctx.dryRun) {
    const number = nextNumber(cur.table, plan.kind);
    if (plan.flag) await run(ctx.$, setFlagArgv(dev.path, number, plan.flag));
    const p: PartedPartition = {
      number,
      start: startByte,
      end: (plan.endSector + 1) * lss - 1,
      size: (plan.endSector - plan.startSector + 1) * lss,
      fs: '',
      name: cur.table.disk.label === 'gpt' ? plan.first : '',
      flags: plan.flag ? [plan.flag] : [],
      kind: plan.kind
    };
    return done({ volume: partitionVolume(dev.path, dev.partSeparator, p) });
  }
  let after = await readTable(ctx, d, dev.path, false);
  if (!after.ok) return after.error;
  let made = after.table.partitions.find((p) => p.start === startByte);
  if (!made) return fail('TOOL_FAILED', `parted reported success but no partition starts at byte ${startByte} on ${dev.path}`, r);
  if (plan.flag) {
    const s = await run(ctx.$, setFlagArgv(dev.path, made.number, plan.flag));
    if (s.failed) return commandFailure(s, `setting the ${plan.flag} flag on ${partitionPath(dev.path, made.number, dev.partSeparator)}`, dev.path);
    after = await readTable(ctx, d, dev.path, false);
    if (!after.ok) return after.error;
    made = after.table.partitions.find((p) => p.start === startByte) ?? made;
  }
  return done({ volume: partitionVolume(dev.path, dev.partSeparator, made) });
}

export async function volDelete(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'vol.delete'>): Promise<ScriptletResult<OpOutput<'vol.delete'>>> {
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const dev = got.dev;
  const cur = await readTable(ctx, d, dev.path, false);
  if (!cur.ok) return cur.error;
  const found = findPartition(cur.table, dev.path, dev.partSeparator, input.volume);
  if (!found.ok) return fail(found.code, found.message);
  const p = found.plan;
  const logicals = cur.table.partitions.filter((q) => q.kind === 'logical' && q.start >= p.start && q.end <= p.end && q !== p);
  if (p.kind === 'extended' && logicals.length > 0) {
    return fail('POOL_BUSY', `${input.volume.path} is the extended partition holding ${logicals.map((q) => baseName(partitionPath(dev.path, q.number, dev.partSeparator))).join(', ')}: delete those first`);
  }
  const r = await run(ctx.$, rmArgv(dev.path, p.number));
  if (r.failed) return commandFailure(r, `deleting ${input.volume.path}`, dev.path);
  return done({});
}

export async function volResize(ctx: ScriptletContext, d: PartedDialect, input: OpInput<'vol.resize'>): Promise<ScriptletResult<OpOutput<'vol.resize'>>> {
  if (d.resize.kind === 'none') return fail('UNSUPPORTED', `${partedName(ctx)} ${d.resize.why}`);
  const got = sourceDevice(input.pool);
  if (!got.ok) return got;
  const dev = got.dev;
  const cur = await readTable(ctx, d, dev.path, true);
  if (!cur.ok) return cur.error;
  const found = findPartition(cur.table, dev.path, dev.partSeparator, input.volume);
  if (!found.ok) return fail(found.code, found.message);
  const planned = planResize(cur.table, found.plan, input.capacity, input.shrink);
  if (!planned.ok) return fail(planned.code, planned.message);
  const plan = planned.plan;
  if (plan.same) return done({ volume: partitionVolume(dev.path, dev.partSeparator, found.plan) });
  const r =
    d.resize.kind === 'resize'
      ? await run(ctx.$, resizeArgv(dev.path, plan.number, plan.startSector, plan.endSector))
      : await run(ctx.$, resizepartArgv(dev.path, plan.number, plan.endSector, plan.shrink), plan.shrink ? SHRINK_STDIN : undefined);
  if (r.failed) {
    const known = classifyMessage(r.stdout, r.stderr);
    if (known?.kind === 'UNSUPPORTED') {
      return fail('UNSUPPORTED', `${partedName(ctx)} resizes a partition only together with a file system it can resize (${known.line}); parted 3.2+ resizepart resizes the partition alone`, r);
    }
    return commandFailure(r, `resizing ${input.volume.path}`, dev.path);
  }
  const lss = cur.table.disk.logicalSectorSize;
  if (ctx.dryRun) {
    const p = { ...found.plan, end: (plan.endSector + 1) * lss - 1, size: (plan.endSector - plan.startSector + 1) * lss };
    return done({ volume: partitionVolume(dev.path, dev.partSeparator, p) });
  }
  const after = await readTable(ctx, d, dev.path, false);
  if (!after.ok) return after.error;
  const now = after.table.partitions.find((p) => p.number === plan.number && p.start === found.plan.start);
  if (!now) return fail('TOOL_FAILED', `partition ${plan.number} is gone from ${dev.path} after the resize`, r);
  if (now.end !== (plan.endSector + 1) * lss - 1) {
    return fail('TOOL_FAILED', `${partedName(ctx)} left ${input.volume.path} ending at byte ${now.end + 1}, not ${(plan.endSector + 1) * lss}`, r);
  }
  return done({ volume: partitionVolume(dev.path, dev.partSeparator, now) });
}
