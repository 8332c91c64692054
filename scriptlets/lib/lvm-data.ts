// Pure helpers for the commands a logical pool runs besides lvm2 itself: signature probing before
// a build (blkid, wipefs, util-linux), copying data in (qemu-img) and wiping (dd, coreutils).
import type { CommandResult } from '../../runner/scriptlet/api.js';

/** `blkid -p -o export DEV` lines (KEY=value, value backslash-escaped) as a map. */
export function parseBlkidExport(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq).trim();
    if (!/^[A-Z_]+$/.test(key)) continue;
    out[key] = line.slice(eq + 1).replace(/\\(.)/g, '$1');
  }
  return out;
}

/**
 * What blkid found on a device, in words, or null when its answer is not a finding. blkid -p
 * exits 0 with the signature (TYPE, or PTTYPE for a partition table), 2 when there is nothing
 * (also for a path that does not exist: pvcreate reports that one), 8 when several signatures
 * contradict each other (still data).
 */
export function blkidSignature(result: Pick<CommandResult, 'exitCode' | 'stdout'>): string | null {
  if (result.exitCode === 8) return 'several conflicting signatures (blkid: ambivalent result)';
  if (result.exitCode !== 0) return null;
  const tags = parseBlkidExport(result.stdout);
  if (tags['TYPE'] === 'LVM2_member') return 'an LVM physical volume (LVM2_member)';
  if (tags['PTTYPE']) return `a ${tags['PTTYPE']} partition table`;
  if (tags['TYPE']) return `a ${tags['TYPE']} signature${tags['USAGE'] ? ` (${tags['USAGE']})` : ''}`;
  return 'a signature';
}

export const wipefsArgs = (device: string): string[] => ['wipefs', '-a', device];

const RAW_LIKE = new Set(['', 'raw', 'lvm2', 'iso', 'none', 'linux', 'fat16', 'fat32', 'linux-swap', 'linux-lvm', 'linux-raid', 'extended']);
const QEMU_READS = new Set(['qcow2', 'qcow', 'qed', 'vmdk', 'vdi', 'vpc', 'vhdx', 'cloop', 'dmg', 'bochs', 'parallels']);

/** The qemu-img input format for a source volume's format, or null when it cannot be read. */
export function qemuSourceFormat(format: string): string | null {
  if (RAW_LIKE.has(format)) return 'raw';
  if (QEMU_READS.has(format)) return format;
  return null;
}

/**
 * Copy a volume's data into an existing LV: -n (the target exists), -p (progress the runner
 * reads), output raw, as libvirt does for vol-create-from into a logical pool; -t none writes
 * the LV with O_DIRECT, so a write the device refuses (a full thin pool) fails qemu-img itself
 * instead of vanishing in the page cache (issue 17).
 */
export function qemuImgConvertArgs(srcFormat: string, src: string, dst: string): string[] {
  return ['qemu-img', 'convert', '-p', '-n', '-t', 'none', '-f', srcFormat, '-O', 'raw', src, dst];
}

const MIB = 1024 * 1024;
const MIN_CHUNK = 64 * MIB;
const MAX_CHUNKS = 64;

/** The byte ranges a wipe writes one dd at a time, so it reports progress and can be stopped. */
export function chunkRanges(total: number): { offset: number; length: number }[] {
  const chunk = Math.max(MIN_CHUNK, Math.ceil(total / MAX_CHUNKS / MIB) * MIB);
  const out: { offset: number; length: number }[] = [];
  for (let offset = 0; offset < total; offset += chunk) out.push({ offset, length: Math.min(chunk, total - offset) });
  return out;
}

/** dd over one range in bytes (count_bytes/seek_bytes: GNU coreutils 8.16). */
export function ddWipeArgs(algorithm: 'zero' | 'random', path: string, offset: number, length: number): string[] {
  const src = algorithm === 'zero' ? '/dev/zero' : '/dev/urandom';
  return ['dd', `if=${src}`, `of=${path}`, 'bs=1M', 'iflag=fullblock,count_bytes', 'oflag=seek_bytes', 'conv=notrunc,fsync', `seek=${offset}`, `count=${length}`];
}
