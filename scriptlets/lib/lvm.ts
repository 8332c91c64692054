// Pure helpers shared by every lvm2 scriptlet series: names, sizes, the options every command
// gets, and the argv of each command. No I/O here: scriptlets run what these build through ctx.
import type { HostFacts } from '../../runner/scriptlet/api.js';
import type { ParseResult } from './lvm-report.js';

/**
 * What differs between lvm2 series, defined by each series folder (scriptlets/lvm2-<first>/
 * dialect.ts) and handed by its scriptlets to the shared operations in lvm-ops.ts. A newer
 * series spreads the older one's dialect and overrides what changed; no version is compared
 * anywhere: the range a scriptlet declares decides which dialect runs.
 */
export interface LvmDialect {
  /** Series name, for messages. */
  series: string;
  /** Why the series' range is what it is (from lvm2's WHATS_NEW and the recordings). */
  why: string;
  /** The options that make pvs/vgs/lvs print machine-readable rows (after the config args). */
  reportFormat: readonly string[];
  /** The rows of one report as this series prints it; `fields` are the ones asked for. */
  parseReport(kind: ReportKind, fields: readonly string[], stdout: string): ParseResult;
  /** Options lvcreate gets so it never prompts on this host (none where the series has none). */
  lvcreatePromptArgs(host: HostFacts): readonly string[];
}

// ---------------------------------------------------------------------------------------------
// Names

/** Why an LVM (VG or LV) name is refused, or null when lvm2 accepts it. */
export function lvmNameProblem(name: string, what: 'volume group' | 'logical volume'): string | null {
  if (name.length === 0) return `${what} name is empty`;
  // NAME_LEN is 128 including the NUL; a VG/LV pair also has to fit in a device-mapper name.
  if (name.length > 127) return `${what} name "${name}" is longer than 127 characters`;
  if (!/^[A-Za-z0-9+_.-]+$/.test(name)) {
    return `${what} name "${name}" may only contain letters, digits and the characters + _ . -`;
  }
  if (name.startsWith('-')) return `${what} name "${name}" may not start with '-'`;
  if (name === '.' || name === '..') return `${what} name "${name}" is reserved`;
  if (what === 'logical volume') {
    // lvm(8): names lvm2 keeps for its own sub-volumes and snapshots.
    if (name.startsWith('snapshot') || name.startsWith('pvmove')) {
      return `logical volume name "${name}" may not start with "snapshot" or "pvmove" (lvm2 reserves them)`;
    }
    for (const part of RESERVED_LV_PARTS) {
      if (name.includes(part)) return `logical volume name "${name}" may not contain "${part}" (lvm2 reserves it)`;
    }
  }
  return null;
}

const RESERVED_LV_PARTS = [
  '_cdata', '_cmeta', '_corig', '_cpool', '_cvol', '_imeta', '_iorig', '_mimage', '_mlog',
  '_pmspare', '_rimage', '_rmeta', '_tdata', '_tmeta', '_vdata', '_vorigin', '_wcorig'
];

/** The volume group a pool is: libvirt's <source><name>, else the pool's own name. */
export function vgNameOf(pool: { name: string; source?: { name?: string } }): string {
  const n = pool.source?.name;
  return n !== undefined && n !== '' ? n : pool.name;
}

/** The device path of an LV as libvirt names it (key is the LV UUID, path /dev/VG/LV). */
export const lvPath = (vg: string, lv: string): string => `/dev/${vg}/${lv}`;

// ---------------------------------------------------------------------------------------------
// Sizes

const KIB = 1024;
const UNITS: readonly [string, number][] = [
  ['t', KIB ** 4],
  ['g', KIB ** 3],
  ['m', KIB ** 2],
  ['k', KIB]
];

/**
 * A size for `-L`: bytes rounded up to a whole KiB (lvm2 rounds up to whole extents, at least
 * 1 KiB, anyway), written in the largest binary unit that divides it exactly: 41943040 -> "40m".
 * Every lvm2 release reads k/m/g/t as powers of 1024 in -L; the byte suffix 'b' is not used
 * because it must be a multiple of 512 and old releases are not known to accept it.
 */
export function lvmSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) throw new RangeError(`not a positive whole number of bytes: ${bytes}`);
  const kib = Math.ceil(bytes / KIB) * KIB;
  for (const [suffix, factor] of UNITS) {
    if (kib % factor === 0) return `${kib / factor}${suffix}`;
  }
  /* c8 ignore next */
  return `${kib / KIB}k`;
}

// ---------------------------------------------------------------------------------------------
// Options every command gets

/**
 * Without device-mapper (no /dev/mapper/control) lvm2 must not try to activate anything:
 * activation=0 makes it edit metadata only. One argv pair, `--config` and its value.
 */
export function configArgs(host: HostFacts): string[] {
  return host.deviceMapper ? [] : ['--config', 'global{activation=0}'];
}

/** `lvm` sub-command plus the host's config args: ['lvs', '--config', 'global{activation=0}']. */
function cmd(name: string, host: HostFacts): string[] {
  return [name, ...configArgs(host)];
}

// ---------------------------------------------------------------------------------------------
// Reports

/** Fields of each report, in the order the recordings in shared/recordings used them. */
export const PV_FIELDS = [
  'pv_name', 'vg_name', 'pv_uuid', 'pv_fmt', 'pv_attr', 'pv_size', 'pv_free', 'pv_used', 'dev_size',
  'pe_start', 'pv_pe_count', 'pv_pe_alloc_count'
] as const;
export const VG_FIELDS = [
  'vg_name', 'vg_uuid', 'vg_fmt', 'vg_attr', 'vg_size', 'vg_free', 'vg_extent_size', 'vg_extent_count',
  'vg_free_count', 'pv_count', 'lv_count', 'snap_count'
] as const;
export const LV_FIELDS = ['lv_name', 'vg_name', 'lv_uuid', 'lv_path', 'lv_attr', 'lv_size', 'seg_count', 'origin', 'lv_tags'] as const;
/** Asked only when the first report shows thin pools, thin volumes or snapshots. */
export const LV_DETAIL_FIELDS = ['lv_uuid', 'pool_lv', 'data_percent', 'origin_size'] as const;

export type ReportKind = 'pv' | 'vg' | 'lv';


/** `pvs`/`vgs`/`lvs` with the series' machine-readable options, sizes in bytes. */
export function reportArgs(kind: ReportKind, fields: readonly string[], d: LvmDialect, host: HostFacts, target: string[] = []): string[] {
  const base = cmd(`${kind}s`, host);
  return [...base, ...d.reportFormat, '--units', 'b', '--nosuffix', '-o', fields.join(','), ...target];
}

// ---------------------------------------------------------------------------------------------
// Commands that change something

export function pvcreateArgs(host: HostFacts, devices: readonly string[]): string[] {
  return [...cmd('pvcreate', host), ...devices];
}

export function vgcreateArgs(host: HostFacts, vg: string, devices: readonly string[]): string[] {
  return [...cmd('vgcreate', host), vg, ...devices];
}

export function vgremoveArgs(host: HostFacts, vg: string): string[] {
  return [...cmd('vgremove', host), vg];
}

export function pvremoveArgs(host: HostFacts, devices: readonly string[]): string[] {
  return [...cmd('pvremove', host), ...devices];
}

export function vgchangeArgs(host: HostFacts, vg: string, active: boolean): string[] {
  return [...cmd('vgchange', host), active ? '-ay' : '-an', vg];
}

/** A linear LV. Without device-mapper lvm2 cannot zero its start: 2.02 refuses unless -Z n. */
export function lvcreateLinearArgs(host: HostFacts, d: LvmDialect, vg: string, name: string, capacity: number): string[] {
  const zero = host.deviceMapper ? [] : ['-Z', 'n'];
  return [...cmd('lvcreate', host), ...d.lvcreatePromptArgs(host), ...zero, '-n', name, '-L', lvmSize(capacity), vg];
}

/** A thin LV in an existing thin pool. */
export function lvcreateThinArgs(host: HostFacts, d: LvmDialect, vg: string, thinPool: string, name: string, capacity: number): string[] {
  return [...cmd('lvcreate', host), ...d.lvcreatePromptArgs(host), '-T', `${vg}/${thinPool}`, '-V', lvmSize(capacity), '-n', name];
}

/** A thin LV together with a new thin pool of `poolSize` bytes. */
export function lvcreateThinWithPoolArgs(
  host: HostFacts,
  d: LvmDialect,
  vg: string,
  thinPool: string,
  poolSize: number,
  name: string,
  capacity: number
): string[] {
  return [...cmd('lvcreate', host), ...d.lvcreatePromptArgs(host), '-L', lvmSize(poolSize), '-T', `${vg}/${thinPool}`, '-V', lvmSize(capacity), '-n', name];
}

/**
 * A snapshot. Of a thin volume: a thin snapshot, with the activation-skip flag lvm2 sets on thin
 * snapshots (2.02.99) cleared so it activates like any volume. Otherwise a classic COW snapshot
 * whose COW area covers the whole origin, so it can never overflow and turn invalid.
 */
export function lvcreateSnapshotArgs(
  host: HostFacts,
  d: LvmDialect,
  vg: string,
  origin: string,
  name: string,
  cow: { thin: true } | { thin: false; size: number }
): string[] {
  const size = cow.thin ? ['-kn'] : ['-L', lvmSize(cow.size)];
  return [...cmd('lvcreate', host), ...d.lvcreatePromptArgs(host), '-s', ...size, '-n', name, `${vg}/${origin}`];
}

export function lvremoveArgs(host: HostFacts, vg: string, lv: string): string[] {
  return [...cmd('lvremove', host), '-f', `${vg}/${lv}`];
}

/**
 * Grow: a relative `+` size, which lvresize can never turn into a reduction. Shrink: only when
 * the caller asked for it, with `-f` (lvresize's confirmation of a reduction) and the new size.
 */
export function lvresizeArgs(host: HostFacts, vg: string, lv: string, change: { grow: number } | { shrinkTo: number }): string[] {
  const base = cmd('lvresize', host);
  if ('grow' in change) return [...base, '-L', `+${lvmSize(change.grow)}`, `${vg}/${lv}`];
  return [...base, '-f', '-L', lvmSize(change.shrinkTo), `${vg}/${lv}`];
}
