// Reading and writing block devices in the guest, for checking what the agent wrote: seeded
// data (fixed seeds: the same bytes on every run), hashes, and zero checks, all fsynced.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { execa } from 'execa';

const CHUNK = 1024 * 1024;

/** `n` bytes (a multiple of 4) from xorshift32 with this seed. */
export function seededBytes(seed: number, n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i + 4 <= n; i += 4) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b.writeUInt32LE(x, i);
  }
  return b;
}

/** Write `data` at the start of a device (or file) and fsync it. */
export function writeDevice(path: string, data: Buffer): void {
  const fd = openSync(path, 'r+');
  try {
    for (let off = 0; off < data.length; off += CHUNK) writeSync(fd, data, off, Math.min(CHUNK, data.length - off), off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** sha256 of the first `bytes` of a device, and whether they were all zero. */
export function readDevice(path: string, bytes: number): { sha256: string; allZero: boolean; read: number } {
  const fd = openSync(path, 'r');
  const h = createHash('sha256');
  const buf = Buffer.alloc(CHUNK);
  let allZero = true;
  let read = 0;
  try {
    while (read < bytes) {
      const n = readSync(fd, buf, 0, Math.min(CHUNK, bytes - read), read);
      if (n === 0) break;
      const part = buf.subarray(0, n);
      h.update(part);
      if (allZero && part.some((x) => x !== 0)) allZero = false;
      read += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: h.digest('hex'), allZero, read };
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A command's stdout (throws on failure: a broken check is a broken step). */
export async function sh(argv: string[]): Promise<string> {
  const [cmd, ...args] = argv;
  const r = await execa(cmd!, args, { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} exited ${r.exitCode}: ${String(r.all).slice(-800)}`);
  return String(r.stdout);
}

/** `lvs` rows of a VG as objects (lvm2's JSON report). */
export async function lvsRows(vg: string, fields = 'lv_name,lv_attr,lv_size,pool_lv,origin,data_percent,metadata_percent'): Promise<Record<string, string>[]> {
  const out = await sh(['lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-a', '-o', fields, vg]);
  const doc = JSON.parse(out) as { report: { lv: Record<string, string>[] }[] };
  return doc.report[0]?.lv ?? [];
}
