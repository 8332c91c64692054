// Pure logic for thin pools' space (issue 17): read a thin pool's fill from an `lvs` row, decide
// before writing whether a write fits, and judge the pool after a write. No I/O here: the
// scriptlets run the report these name and pass its rows in.
import type { Row } from './lvm-report.js';
import { percent, wholeNumber } from './lvm-report.js';

/** Fields of the thin pool report; all in lvm2 since thin pools exist (2.02.89). */
export const THIN_POOL_FIELDS = ['lv_name', 'lv_attr', 'lv_size', 'lv_metadata_size', 'chunk_size', 'data_percent', 'metadata_percent'] as const;

/**
 * The fill past which a result carries a warning. lvm2's own threshold
 * (activation/thin_pool_autoextend_threshold) is 100 (= never) by default and acts only under
 * dmeventd, which a host may not run; 80% is a fixed line the caller can count on.
 */
export const WARN_PERCENT = 80;

/**
 * Bytes of thin pool metadata one mapped chunk costs, as lvm2 estimates it when sizing a pool's
 * metadata (64 bytes per chunk, lib/metadata/thin_manip.c): enough to refuse a write that
 * cannot fit, not an exact figure.
 */
const METADATA_PER_CHUNK = 64;

export interface ThinPoolState {
  name: string;
  size: number;
  metadataSize: number;
  chunkSize: number;
  dataPercent: number;
  metadataPercent: number;
  /** lv_attr's 9th character: D out of data space, M metadata read-only, F failed, X unknown; '-' healthy. */
  health: string;
}

export function thinPoolFromRow(row: Row): ThinPoolState | string {
  const size = wholeNumber(row['lv_size']);
  const metadataSize = wholeNumber(row['lv_metadata_size']);
  const chunkSize = wholeNumber(row['chunk_size']);
  const dataPercent = percent(row['data_percent']);
  const metadataPercent = percent(row['metadata_percent']);
  const attr = row['lv_attr'] ?? '';
  const name = row['lv_name'] ?? '';
  if (!attr.startsWith('t') || size === null || metadataSize === null || chunkSize === null || dataPercent === null || metadataPercent === null) {
    return `not an active thin pool row: ${JSON.stringify(row)}`;
  }
  return { name, size, metadataSize, chunkSize, dataPercent, metadataPercent, health: attr.charAt(8) || '-' };
}

const HEALTH: Record<string, string> = { D: 'out of data space', M: 'metadata read-only', F: 'failed', X: 'in an unknown state' };

/** The pool's state in words, for messages. */
export function describePool(vg: string, p: ThinPoolState): string {
  const state = HEALTH[p.health];
  return `thin pool ${vg}/${p.name}: data ${p.dataPercent}% of ${p.size} bytes, metadata ${p.metadataPercent}% of ${p.metadataSize} bytes${state ? `, ${state}` : ''}`;
}

export const freeData = (p: ThinPoolState): number => Math.max(0, Math.floor(p.size * (1 - p.dataPercent / 100)));
const freeMetadata = (p: ThinPoolState): number => Math.max(0, Math.floor(p.metadataSize * (1 - p.metadataPercent / 100)));

/** Why writing `bytes` into the pool would not fit (a message with the numbers), or null when it fits. */
export function noRoomFor(vg: string, p: ThinPoolState, bytes: number): string | null {
  if (HEALTH[p.health]) return `${describePool(vg, p)}: nothing can be written into it`;
  const data = freeData(p);
  const chunks = p.chunkSize > 0 ? Math.ceil(bytes / p.chunkSize) : 0;
  const meta = chunks * METADATA_PER_CHUNK;
  if (bytes > data) return `${bytes} bytes to write, ${data} bytes free in ${describePool(vg, p)} (ask overcommit: true to write anyway)`;
  if (meta > freeMetadata(p)) return `about ${meta} bytes of metadata needed, ${freeMetadata(p)} free in ${describePool(vg, p)} (ask overcommit: true to write anyway)`;
  return null;
}

/** After a write: why the pool shows that data may be lost (full or unhealthy), or null. */
export function lossSign(vg: string, p: ThinPoolState): string | null {
  if (HEALTH[p.health] || p.dataPercent >= 100 || p.metadataPercent >= 100) return `${describePool(vg, p)}: the data written may be incomplete`;
  return null;
}

/** A warning when the pool is past WARN_PERCENT, or null. */
export function fillWarning(vg: string, p: ThinPoolState): string | null {
  if (p.dataPercent < WARN_PERCENT && p.metadataPercent < WARN_PERCENT) return null;
  return `${describePool(vg, p)}: past ${WARN_PERCENT}%`;
}

/**
 * How many bytes a copy of `from` writes at most: its allocation when known (a sparse file, a
 * thin volume), else its capacity.
 */
export function bytesToWrite(from: { capacity: number; allocation: number }): number {
  return from.allocation > 0 && from.allocation <= from.capacity ? from.allocation : from.capacity;
}
