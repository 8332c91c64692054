// Pure helpers for GNU parted scriptlets that no release changes: argv builders, the `-m`
// machine-output parser (its release-dependent details are options the series set), partition
// device naming, free-space planning with 1 MiB alignment, libvirt's volume view of a partition,
// and the mapping of parted's messages to the spec's error codes. What a release does
// differently lives in its series folder (parted-<first>/dialect.ts; the `--json` parser in
// parted-3.4.64/). No I/O here: scriptlets run their commands through the context.
import type { ErrorCode, Volume } from '../../runner/contracts/generated.js';

export const MiB = 1048576;

export interface PartedDisk {
  path: string;
  /** Bytes. */
  size: number;
  transport: string;
  logicalSectorSize: number;
  physicalSectorSize: number;
  /** parted's label name: gpt, msdos, mac, ..., or 'unknown' when there is none. */
  label: string;
  model: string;
  flags: string[];
}

export type PartKind = 'primary' | 'logical' | 'extended';

export interface PartedPartition {
  number: number;
  /** First byte. */
  start: number;
  /** Last byte (inclusive, as parted prints it). */
  end: number;
  size: number;
  /** File system parted detected ('' when none). */
  fs: string;
  /** GPT (and other named labels) partition name; '' on msdos. */
  name: string;
  flags: string[];
  kind: PartKind;
}

export interface FreeRegion {
  start: number;
  /** Last byte (inclusive). */
  end: number;
  size: number;
}

export interface PartedTable {
  disk: PartedDisk;
  partitions: PartedPartition[];
  /** Present only when the table was read with `print free`. */
  free: FreeRegion[];
}

export type ParseResult = { ok: true; table: PartedTable } | { ok: false; reason: string };

// ---------------------------------------------------------------------------------------------
// argv. Every command is `parted -s ...` (script mode: never prompt) with the device right after
// the options, and positions in sectors with an `s` suffix, so the same argv works from 1.8 to
// 3.5 and equals what shared/recordings/parted-* ran.

export function printArgv(device: string, free: boolean, json = false): string[] {
  return ['parted', '-s', json ? '--json' : '-m', device, 'unit', 'B', 'print', ...(free ? ['free'] : [])];
}

export function mklabelArgv(device: string, label: string): string[] {
  return ['parted', '-s', device, 'mklabel', label];
}

/** `first` is the msdos partition type (primary/logical/extended) or the GPT partition name. */
export function mkpartArgv(device: string, first: string, fsType: string | null, startSector: number, endSector: number): string[] {
  return ['parted', '-s', device, 'mkpart', first, ...(fsType ? [fsType] : []), `${startSector}s`, `${endSector}s`];
}

export function rmArgv(device: string, number: number): string[] {
  return ['parted', '-s', device, 'rm', String(number)];
}

export function setFlagArgv(device: string, number: number, flag: string): string[] {
  return ['parted', '-s', device, 'set', String(number), flag, 'on'];
}

/** parted 1.x/2.x `resize NUMBER START END`: moves the file system too, so it needs one it knows. */
export function resizeArgv(device: string, number: number, startSector: number, endSector: number): string[] {
  return ['parted', '-s', device, 'resize', String(number), `${startSector}s`, `${endSector}s`];
}

/**
 * parted 3.2+ `resizepart NUMBER END`. Growing runs in script mode. Shrinking asks "Shrinking a
 * partition can cause data loss, are you sure you want to continue?", which script mode answers
 * by failing (exit 1, table unchanged; parted bug#22167); the only non-interactive way is the
 * test-suite option `---pretend-input-tty` with "Yes" on stdin (see SHRINK_STDIN).
 */
export function resizepartArgv(device: string, number: number, endSector: number, shrink: boolean): string[] {
  return shrink
    ? ['parted', '---pretend-input-tty', device, 'resizepart', String(number), `${endSector}s`]
    : ['parted', '-s', device, 'resizepart', String(number), `${endSector}s`];
}

/**
 * Exactly one "Yes": it answers the shrink question only. A partition in use (mounted, swap) makes
 * parted ask "Partition ... is being used. Are you sure you want to continue?" first; that
 * question takes the Yes, the shrink question then reads end of input and parted gives up (exit
 * 1, table unchanged: recorded in golden/parted-3.5/busy-shrink-vol-resize.json), which
 * classifyMessage reads as POOL_BUSY from the "being used" warning.
 */
export const SHRINK_STDIN = 'Yes\n';

// ---------------------------------------------------------------------------------------------
// `-m` machine output: "BYT;" then the disk line, then one line per partition or free region,
// each ending in ';'. Anything before "BYT;" (warnings on stdout in 1.x/2.x, or text merged in)
// and any line that is not a record is ignored.
//
// Disk line: path:size:transport:logical:physical:label:model;          (1.8 .. 3.0)
//            path:size:transport:logical:physical:label:model:flags;    (3.1+: disk flags)
// Partition: number:start:end:size:fs:name:flags;
// Free:      number:start:end:size:free;
// From 3.4.64 ':' and '\' inside values are escaped with '\'; before that they are not, so
// there the free-text fields (path, model, name) are rebuilt from the fixed-format ones.

export interface MachineOptions {
  /** The disk line has the disk flags field (parted 3.1+). */
  diskFlags: boolean;
  /** Values escape ':' and '\' (parted 3.4.64+). */
  escaped: boolean;
}

function splitFields(line: string, escaped: boolean): string[] {
  const body = line.endsWith(';') ? line.slice(0, -1) : line;
  if (!escaped) return body.split(':');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\' && i + 1 < body.length) {
      cur += body[i + 1];
      i++;
    } else if (c === ':') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const BYTES = /^(\d+)B$/;

export function bytes(s: string | undefined): number | null {
  const m = BYTES.exec(s ?? '');
  return m ? Number(m[1]) : null;
}

function flagList(s: string | undefined): string[] {
  return (s ?? '')
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
}

export function parseMachine(stdout: string, opts: MachineOptions): ParseResult {
  const lines = stdout.split('\n').map((l) => l.replace(/\r$/, ''));
  const at = lines.findIndex((l) => l.trim() === 'BYT;');
  if (at < 0) return { ok: false, reason: 'no "BYT;" line in parted -m output' };
  const diskLine = lines[at + 1]?.trim() ?? '';
  if (!diskLine.endsWith(';')) return { ok: false, reason: 'no disk line after "BYT;"' };
  const df = splitFields(diskLine, opts.escaped);
  // Find the size field: the first "<n>B" followed by transport and two numeric sector sizes.
  let i = -1;
  for (let k = 1; k + 3 < df.length; k++) {
    if (BYTES.test(df[k] as string) && /^\d+$/.test(df[k + 2] as string) && /^\d+$/.test(df[k + 3] as string)) {
      i = k;
      break;
    }
  }
  const tailNeeded = opts.diskFlags ? 3 : 2; // label, model[, flags]
  if (i < 0 || df.length < i + 4 + tailNeeded) return { ok: false, reason: `unreadable disk line: ${diskLine}` };
  const rest = df.slice(i + 5); // model..., [flags]
  const disk: PartedDisk = {
    path: df.slice(0, i).join(':'),
    size: bytes(df[i]) as number,
    transport: df[i + 1] as string,
    logicalSectorSize: Number(df[i + 2]),
    physicalSectorSize: Number(df[i + 3]),
    label: df[i + 4] as string,
    model: (opts.diskFlags ? rest.slice(0, -1) : rest).join(':'),
    flags: opts.diskFlags ? flagList(rest[rest.length - 1]) : []
  };
  const partitions: PartedPartition[] = [];
  const free: FreeRegion[] = [];
  for (const raw of lines.slice(at + 2)) {
    const line = raw.trim();
    if (!/^\d+:\d+B:\d+B:\d+B:.*;$/.test(line)) continue;
    const f = splitFields(line, opts.escaped);
    const [num, s, e, z] = [Number(f[0]), bytes(f[1]), bytes(f[2]), bytes(f[3])];
    if (s === null || e === null || z === null) continue;
    if (f.length === 5 && f[4] === 'free') {
      free.push({ start: s, end: e, size: z });
      continue;
    }
    if (f.length < 7) continue;
    partitions.push({
      number: num,
      start: s,
      end: e,
      size: z,
      fs: f[4] as string,
      // Unescaped output: only the name can hold ':' (fs and flags are parted's own words).
      name: f.slice(5, -1).join(':'),
      flags: flagList(f[f.length - 1]),
      kind: 'primary'
    });
  }
  classifyKinds(disk.label, partitions, free);
  return { ok: true, table: { disk, partitions, free } };
}

/**
 * `-m` output has no partition type column. On msdos, numbers 5+ are logical; a partition 1-4
 * that holds a logical partition or a free region (print free lists the free space inside an
 * extended partition) is the extended one.
 */
function classifyKinds(label: string, parts: PartedPartition[], free: FreeRegion[]): void {
  if (label !== 'msdos' && label !== 'pc98') return;
  for (const p of parts) {
    if (p.number >= 5) p.kind = 'logical';
  }
  for (const p of parts) {
    if (p.number >= 5) continue;
    const inside = (a: { start: number; end: number }) => a.start >= p.start && a.end <= p.end && a !== p;
    if (parts.some((q) => q.number >= 5 && inside(q)) || free.some(inside)) p.kind = 'extended';
  }
}

// ---------------------------------------------------------------------------------------------
// Messages. parted 1.x/2.x write exceptions to stdout, 3.x to stderr: both are read. Judged
// only for a failed command (or a print without a table).

export type PartedErrorKind = ErrorCode | 'NO_LABEL';

const MESSAGE_CODES: readonly [RegExp, PartedErrorKind][] = [
  [/unrecognised disk label/i, 'NO_LABEL'],
  [/Could not stat device .*No such file or directory/i, 'INVALID_ARGUMENT'],
  [/Error opening .*No such file or directory/i, 'INVALID_ARGUMENT'],
  [/Permission denied|Operation not permitted/i, 'PERMISSION_DENIED'],
  [/outside of the device/i, 'NO_SPACE'],
  [/closest location we can manage/i, 'NO_SPACE'],
  [/Can't have overlapping partitions/i, 'NO_SPACE'],
  [/Can't have a partition outside the disk/i, 'NO_SPACE'],
  [/Unable to satisfy all constraints/i, 'NO_SPACE'],
  [/Too many primary partitions/i, 'NO_SPACE'],
  [/Can't create any more partitions/i, 'NO_SPACE'],
  [/Partition doesn't exist/i, 'NO_VOLUME'],
  [/is being used|Device or resource busy|unable to inform the kernel/i, 'POOL_BUSY'],
  [/Could not detect file system/i, 'UNSUPPORTED'],
  [/No Implementation/i, 'UNSUPPORTED']
];

export function classifyMessage(stdout: string, stderr: string): { kind: PartedErrorKind; line: string } | null {
  const text = `${stdout}\n${stderr}`;
  for (const [re, kind] of MESSAGE_CODES) {
    const m = re.exec(text);
    if (m) {
      const line = text.slice(text.lastIndexOf('\n', m.index) + 1).split('\n')[0]?.trim() ?? '';
      return { kind, line };
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Names. The kernel (and udev) name a partition of a disk whose name ends in a digit with a 'p'
// before the number (loop0p1, nvme0n1p1, mmcblk0p1) and without one otherwise (sda1, vdb2).
// libvirt's <device partSeparator='yes|no'/> overrides it for device-mapper names.

export function partitionPath(device: string, number: number, partSeparator?: string): string {
  const sep = partSeparator === 'yes' ? 'p' : partSeparator === 'no' ? '' : /\d$/.test(device) ? 'p' : '';
  return `${device}${sep}${number}`;
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

// libvirt <source><format type=.../> of a disk pool <-> parted label names.
const LABEL_TO_LIBVIRT: Record<string, string> = { msdos: 'dos', gpt: 'gpt', mac: 'mac', bsd: 'bsd', pc98: 'pc98', sun: 'sun', dvh: 'dvh' };

export function libvirtFormatOfLabel(label: string): string | null {
  return LABEL_TO_LIBVIRT[label] ?? null;
}

/** parted label for a libvirt disk pool format; libvirt builds 'dos' when none is given. */
export function labelOfLibvirtFormat(format: string | undefined): string | null {
  const f = format ?? 'dos';
  for (const [label, lv] of Object.entries(LABEL_TO_LIBVIRT)) if (lv === f) return label;
  return null;
}

/** libvirt's disk volume format of a partition (none, linux, fat16, fat32, linux-swap, linux-lvm, linux-raid, extended). */
export function volumeFormat(p: PartedPartition): string {
  if (p.kind === 'extended') return 'extended';
  if (p.flags.includes('lvm')) return 'linux-lvm';
  if (p.flags.includes('raid')) return 'linux-raid';
  if (p.flags.includes('swap') || p.fs.startsWith('linux-swap')) return 'linux-swap';
  if (p.fs === 'fat16' || p.fs === 'fat32') return p.fs;
  if (/^(ext[234]|xfs|btrfs|jfs|reiserfs|nilfs2)$/.test(p.fs)) return 'linux';
  return 'none';
}

export function partitionVolume(device: string, partSeparator: string | undefined, p: PartedPartition): Volume {
  const path = partitionPath(device, p.number, partSeparator);
  // sourceDevice/extentStart/extentEnd are what vol.dumpXml writes as libvirt's
  // <source><device path=...><extent start=... end=.../></device></source> (runner/xml/vol-xml.ts).
  const extra: Record<string, string | number | boolean> = {
    partNumber: p.number,
    partType: p.kind,
    sourceDevice: device,
    extentStart: p.start,
    // Exclusive end, like libvirt's <extent start= end=> (parthelper prints (end + 1) * sector size).
    extentEnd: p.end + 1
  };
  if (p.name !== '') extra['partName'] = p.name;
  if (p.fs !== '') extra['fsType'] = p.fs;
  if (p.flags.length > 0) extra['flags'] = p.flags.join(',');
  return {
    name: baseName(path),
    key: path,
    path,
    type: 'block',
    capacity: p.size,
    allocation: p.size,
    format: volumeFormat(p),
    extra
  };
}

// ---------------------------------------------------------------------------------------------
// Planning a new partition: first fit, start and size aligned to 1 MiB.

/** Volume formats a new partition can have, as libvirt names them, and parted's fs-type for each. */
const CREATE_FORMATS: Record<string, { fsType: string | null; flag: string | null }> = {
  none: { fsType: null, flag: null },
  raw: { fsType: null, flag: null },
  linux: { fsType: 'ext2', flag: null },
  fat16: { fsType: 'fat16', flag: null },
  fat32: { fsType: 'fat32', flag: null },
  'linux-swap': { fsType: 'linux-swap', flag: null },
  'linux-lvm': { fsType: null, flag: 'lvm' },
  'linux-raid': { fsType: null, flag: 'raid' },
  extended: { fsType: null, flag: null }
};

export interface CreateRequest {
  capacity: number;
  format?: string | undefined;
  /** Volume extra: partType (msdos: primary|logical|extended), partName (GPT name). */
  extra?: Record<string, string | undefined> | undefined;
}

export interface CreatePlan {
  first: string;
  fsType: string | null;
  /** A flag to set after mkpart (lvm, raid). */
  flag: string | null;
  kind: PartKind;
  startSector: number;
  endSector: number;
}

export type PlanResult<T> = { ok: true; plan: T } | { ok: false; code: ErrorCode; message: string };

const NAME_RE = /^[A-Za-z0-9_.+-]{1,36}$/;

function alignSectors(disk: PartedDisk): number {
  return Math.max(1, Math.floor(MiB / disk.logicalSectorSize));
}

function roundUp(n: number, m: number): number {
  return Math.ceil(n / m) * m;
}

/** Sectors a capacity takes, rounded up to whole MiB. */
export function capacitySectors(disk: PartedDisk, capacity: number): number {
  const a = alignSectors(disk);
  return roundUp(Math.ceil(capacity / disk.logicalSectorSize), a);
}

interface Slot {
  region: FreeRegion;
  kind: PartKind;
  /** First usable aligned sector and last usable sector. */
  first: number;
  last: number;
}

/** Where a new partition of each kind could go, in disk order. */
export function usableSlots(table: PartedTable): Slot[] {
  const { disk, partitions } = table;
  const lss = disk.logicalSectorSize;
  const a = alignSectors(disk);
  const extended = partitions.find((p) => p.kind === 'extended');
  const msdos = disk.label === 'msdos';
  const primaries = partitions.filter((p) => p.kind !== 'logical').length;
  const slots: Slot[] = [];
  for (const r of table.free) {
    const inExt = !!extended && r.start >= extended.start && r.end <= extended.end;
    const kind: PartKind = inExt ? 'logical' : 'primary';
    if (msdos && !inExt && primaries >= 4) continue;
    const startSector = Math.floor(r.start / lss);
    const endSector = Math.floor((r.end + 1) / lss) - 1;
    // A logical partition needs a sector before it for its EBR.
    const first = roundUp(startSector + (kind === 'logical' ? 1 : 0), a);
    if (first > endSector) continue;
    slots.push({ region: r, kind, first, last: endSector });
  }
  return slots;
}

/** Bytes a pool can still give to new partitions (aligned, usable slots only). */
export function availableBytes(table: PartedTable): number {
  const a = alignSectors(table.disk);
  let total = 0;
  for (const s of usableSlots(table)) {
    const sectors = Math.floor((s.last - s.first + 1) / a) * a;
    total += sectors * table.disk.logicalSectorSize;
  }
  return total;
}

export function planCreate(table: PartedTable, req: CreateRequest): PlanResult<CreatePlan> {
  const { disk } = table;
  if (disk.label !== 'msdos' && disk.label !== 'gpt') {
    return { ok: false, code: 'UNSUPPORTED', message: `creating partitions on a '${disk.label}' label is not supported (gpt and dos are)` };
  }
  const format = req.format ?? 'none';
  const spec = CREATE_FORMATS[format];
  if (!spec) {
    return { ok: false, code: 'INVALID_ARGUMENT', message: `unknown partition volume format '${format}' (one of ${Object.keys(CREATE_FORMATS).join(', ')})` };
  }
  if (!Number.isInteger(req.capacity) || req.capacity <= 0) {
    return { ok: false, code: 'INVALID_ARGUMENT', message: 'capacity must be a positive whole number of bytes' };
  }
  const wanted = req.extra?.['partType'];
  if (wanted !== undefined && wanted !== 'primary' && wanted !== 'logical' && wanted !== 'extended') {
    return { ok: false, code: 'INVALID_ARGUMENT', message: `partType must be primary, logical or extended, not '${wanted}'` };
  }
  let kindWanted: PartKind | undefined = wanted;
  if (format === 'extended') {
    if (kindWanted && kindWanted !== 'extended') return { ok: false, code: 'INVALID_ARGUMENT', message: `format 'extended' conflicts with partType '${kindWanted}'` };
    kindWanted = 'extended';
  }
  if (disk.label === 'gpt' && kindWanted && kindWanted !== 'primary') {
    return { ok: false, code: 'INVALID_ARGUMENT', message: `a GPT label has no ${kindWanted} partitions` };
  }
  if (kindWanted === 'extended' && table.partitions.some((p) => p.kind === 'extended')) {
    return { ok: false, code: 'VOLUME_EXISTS', message: 'the disk already has an extended partition' };
  }
  const name = req.extra?.['partName'] ?? 'primary';
  if (disk.label === 'gpt' && !NAME_RE.test(name)) {
    return { ok: false, code: 'INVALID_ARGUMENT', message: `partName must be 1-36 characters of A-Z a-z 0-9 _ . + -` };
  }
  const sectors = capacitySectors(disk, req.capacity);
  let largest = 0;
  for (const slot of usableSlots(table)) {
    const kind: PartKind = kindWanted === 'extended' ? 'extended' : slot.kind;
    if (kindWanted === 'extended' && slot.kind === 'logical') continue;
    if (kindWanted && kindWanted !== 'extended' && kindWanted !== slot.kind) continue;
    const room = slot.last - slot.first + 1;
    largest = Math.max(largest, room);
    if (room < sectors) continue;
    return {
      ok: true,
      plan: {
        first: disk.label === 'gpt' ? name : kind,
        fsType: spec.fsType,
        flag: spec.flag,
        kind,
        startSector: slot.first,
        endSector: slot.first + sectors - 1
      }
    };
  }
  const need = sectors * disk.logicalSectorSize;
  const full = disk.label === 'msdos' && table.partitions.filter((p) => p.kind !== 'logical').length >= 4 && kindWanted !== 'logical';
  const why = full ? `; the dos label's 4 primary partitions are all used${table.partitions.some((p) => p.kind === 'extended') ? ', and the extended one has no room' : ': one of them must be an extended partition to hold logical ones'}` : '';
  return {
    ok: false,
    code: 'NO_SPACE',
    message: `no free extent on ${disk.path} holds ${need} bytes${kindWanted ? ` for a ${kindWanted} partition` : ''} (largest usable: ${largest * disk.logicalSectorSize} bytes)${why}`
  };
}

export interface ResizePlan {
  number: number;
  startSector: number;
  endSector: number;
  shrink: boolean;
  /** The size does not change: nothing to run. */
  same: boolean;
}

export function planResize(table: PartedTable, part: PartedPartition, capacity: number, allowShrink: boolean): PlanResult<ResizePlan> {
  const { disk } = table;
  if (!Number.isInteger(capacity) || capacity <= 0) {
    return { ok: false, code: 'INVALID_ARGUMENT', message: 'capacity must be a positive whole number of bytes' };
  }
  const lss = disk.logicalSectorSize;
  const startSector = Math.floor(part.start / lss);
  const curEnd = Math.floor((part.end + 1) / lss) - 1;
  const endSector = startSector + capacitySectors(disk, capacity) - 1;
  const shrink = endSector < curEnd;
  if (shrink && !allowShrink) {
    return { ok: false, code: 'INVALID_ARGUMENT', message: `shrinking ${part.number} to ${capacity} bytes needs shrink: true` };
  }
  if (endSector > curEnd) {
    // Growing needs the free region right after the partition.
    const next = table.free.find((r) => r.start === part.end + 1);
    const maxEnd = next ? Math.floor((next.end + 1) / lss) - 1 : curEnd;
    if (endSector > maxEnd) {
      return {
        ok: false,
        code: 'NO_SPACE',
        message: `partition ${part.number} can grow to at most ${(maxEnd - startSector + 1) * lss} bytes (free space after it ends at byte ${(maxEnd + 1) * lss})`
      };
    }
  }
  return { ok: true, plan: { number: part.number, startSector, endSector, shrink, same: endSector === curEnd } };
}

/**
 * The partition a volume names, found by its path in a fresh read (never by trusting a number
 * derived from the name: libvirt's own disk backend runs `parted /dev/loop2 rm p1` that way).
 * When the volume carries its start offset, a partition that moved (msdos logical partitions are
 * renumbered after an rm) is not mistaken for it.
 */
export function findPartition(table: PartedTable, device: string, partSeparator: string | undefined, vol: { path: string; name?: string; extra?: Record<string, unknown> }): PlanResult<PartedPartition> {
  const p = table.partitions.find((q) => partitionPath(device, q.number, partSeparator) === vol.path);
  if (!p) return { ok: false, code: 'NO_VOLUME', message: `no partition ${vol.path} on ${device}` };
  const start = vol.extra?.['extentStart'];
  if (typeof start === 'number' && start !== p.start) {
    return { ok: false, code: 'NO_VOLUME', message: `${vol.path} now starts at byte ${p.start}, not ${start}: the partition table changed; list the pool again` };
  }
  return { ok: true, plan: p };
}
