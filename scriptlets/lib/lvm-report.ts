// The mapping of lvm2 report rows (pvs, vgs, lvs) to the agent's objects, which no series
// changes. The parsers of each output format live in the series that introduced it
// (lvm2-2.02.98/separator-report.ts, lvm2-2.02.158/json-report.ts). Warnings never break them: lvm2 writes its warnings to stderr,
// but some releases print notices on stdout too, even inside a JSON report (lvm2 issue #137),
// and a site's lvm.conf can prefix lines (log/prefix, log/command_names).
import { lvPath } from './lvm.js';

export type Row = Record<string, string>;

export type ParseResult = { ok: true; rows: Row[] } | { ok: false; problem: string };

// ---------------------------------------------------------------------------------------------
// Numbers

/** A byte count or count field: a whole number within 2^53-1, or null. */
export function wholeNumber(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** A percentage field ("12.50", "" when unknown, e.g. an inactive thin volume). */
export function percent(s: string | undefined): number | null {
  if (s === undefined) return null;
  const t = s.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

// ---------------------------------------------------------------------------------------------
// Volume groups and physical volumes

export interface VgInfo {
  name: string;
  uuid: string;
  attr: string;
  size: number;
  free: number;
  extentSize: number;
  pvCount: number;
  lvCount: number;
}

export function vgFromRow(row: Row): VgInfo | string {
  const size = wholeNumber(row['vg_size']);
  const free = wholeNumber(row['vg_free']);
  const extentSize = wholeNumber(row['vg_extent_size']);
  const pvCount = wholeNumber(row['pv_count']);
  const lvCount = wholeNumber(row['lv_count']);
  const name = row['vg_name'] ?? '';
  if (name === '' || size === null || free === null || extentSize === null || pvCount === null || lvCount === null) {
    return `unreadable vgs row for "${name}": ${JSON.stringify(row)}`;
  }
  return { name, uuid: row['vg_uuid'] ?? '', attr: row['vg_attr'] ?? '', size, free, extentSize, pvCount, lvCount };
}

export interface PvInfo {
  name: string;
  vg: string;
  size: number;
  free: number;
}

export function pvFromRow(row: Row): PvInfo | string {
  const size = wholeNumber(row['pv_size']);
  const free = wholeNumber(row['pv_free']);
  const name = row['pv_name'] ?? '';
  if (name === '' || size === null || free === null) return `unreadable pvs row: ${JSON.stringify(row)}`;
  return { name, vg: row['vg_name'] ?? '', size, free };
}

/** libvirt's find-storage-pool-sources for logical: each VG with the PVs it is made of. */
export function sourcesFromPvs(pvs: readonly PvInfo[], device?: string): { name: string; format: string; devices: { path: string }[] }[] {
  const byVg = new Map<string, string[]>();
  for (const pv of pvs) {
    if (pv.vg === '') continue; // an orphan PV is in no VG: nothing to start a pool from
    const list = byVg.get(pv.vg) ?? [];
    list.push(pv.name);
    byVg.set(pv.vg, list);
  }
  const out: { name: string; format: string; devices: { path: string }[] }[] = [];
  for (const [vg, devices] of byVg) {
    if (device !== undefined && device !== '' && !devices.includes(device)) continue;
    out.push({ name: vg, format: 'lvm2', devices: devices.map((path) => ({ path })) });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Logical volumes

/** The volume type lvm2 shows as the first character of lv_attr. */
export function lvRole(attr: string): string {
  switch (attr.charAt(0)) {
    case '-':
      return 'linear';
    case 't':
      return 'thin-pool';
    case 'V':
      return 'thin';
    case 's':
      return 'snapshot';
    case 'S':
      return 'snapshot-invalid';
    case 'o':
      return 'origin';
    case 'O':
      return 'origin-merging';
    case 'm':
    case 'M':
      return 'mirror';
    case 'r':
    case 'R':
      return 'raid';
    case 'C':
      return 'cached';
    case 'd':
      return 'vdo-pool';
    case 'v':
      return 'virtual';
    default:
      return 'other';
  }
}

/** Rows that need a second report (pool_lv, data_percent, origin_size) to describe them. */
export const needsDetails = (attr: string): boolean => ['t', 'V', 's', 'S'].includes(attr.charAt(0));

export interface LvDetails {
  pool: string;
  dataPercent: number | null;
  originSize: number | null;
}

export function detailsFromRows(rows: readonly Row[]): Map<string, LvDetails> {
  const m = new Map<string, LvDetails>();
  for (const row of rows) {
    const uuid = row['lv_uuid'] ?? '';
    if (uuid === '') continue;
    m.set(uuid, { pool: row['pool_lv'] ?? '', dataPercent: percent(row['data_percent']), originSize: wholeNumber(row['origin_size']) });
  }
  return m;
}

export interface LvVolume {
  pool?: string;
  name: string;
  key: string;
  path: string;
  type: 'block';
  capacity: number;
  allocation: number;
  format: string;
  backingStore?: { path: string; format?: string };
  extra: Record<string, string | number | boolean>;
}

/**
 * A volume from an `lvs` row (LV_FIELDS) and, for thin and snapshot LVs, its details.
 * - linear and others: capacity = allocation = lv_size.
 * - thin pool: capacity = allocation = lv_size (the VG space it holds); its use in extra.
 * - thin volume: capacity = lv_size, allocation = lv_size x data_percent (0 while unknown).
 * - snapshot: lv_size is its COW area, so capacity = origin_size, allocation = lv_size.
 * Hidden LVs ([name]) are sub-volumes, never volumes.
 */
export function volumeFromRow(row: Row, vg: string, details: LvDetails | undefined, poolName?: string): LvVolume | string | null {
  const name = row['lv_name'] ?? '';
  if (name === '' || name.startsWith('[')) return null;
  const size = wholeNumber(row['lv_size']);
  const uuid = row['lv_uuid'] ?? '';
  const attr = row['lv_attr'] ?? '';
  if (size === null || uuid === '') return `unreadable lvs row for "${name}": ${JSON.stringify(row)}`;
  const role = lvRole(attr);
  let capacity = size;
  let allocation = size;
  const extra: Record<string, string | number | boolean> = { lvAttr: attr, lvType: role };
  if (role === 'thin' || role === 'thin-pool') {
    if (details?.dataPercent !== null && details?.dataPercent !== undefined) extra['dataPercent'] = details.dataPercent;
  }
  if (role === 'thin') {
    if (details?.pool) extra['thinPool'] = details.pool;
    const pct = details?.dataPercent;
    allocation = pct === null || pct === undefined ? 0 : Math.min(size, Math.round((size * pct) / 100));
  }
  if ((role === 'snapshot' || role === 'snapshot-invalid') && details?.originSize) {
    capacity = details.originSize;
  }
  const tags = row['lv_tags'] ?? '';
  if (tags !== '') extra['lvTags'] = tags;
  const segs = wholeNumber(row['seg_count']);
  if (segs !== null) extra['segments'] = segs;
  const vol: LvVolume = {
    ...(poolName !== undefined ? { pool: poolName } : {}),
    name,
    key: uuid,
    path: lvPath(vg, name),
    type: 'block',
    capacity,
    allocation,
    format: 'lvm2',
    extra
  };
  const origin = row['origin'] ?? '';
  if (origin !== '') vol.backingStore = { path: lvPath(vg, origin), format: 'lvm2' };
  return vol;
}
