// Loop devices over sparse images in a temporary directory, for tests of the disk and fs pools.
// Teardown unmounts the mount points registered here and detaches the loop devices attached
// here, by path (never others': other tests and helpers use loop devices at the same time), then
// removes the directory.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

type Teardown = { teardown(fn: () => void | Promise<void>): void };

export const MiB = 1048576;

/** Loop devices need root (and partition nodes need a kernel that makes them: -P). */
export const needsRoot = process.getuid?.() !== 0 ? 'needs root for loop devices and mounts' : false;

/** Mount points in /proc/self/mountinfo (field 5), octal escapes decoded. */
export function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (l.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
}

export function isMounted(path: string): boolean {
  return mountPoints().includes(path);
}

export interface LoopArea {
  dir: string;
  /** A sparse image of SIZE (truncate's syntax) attached to a free loop device; its path. */
  attach(size: string, opts?: { partitions?: boolean; name?: string }): Promise<string>;
  /** A path under the area that teardown unmounts if something is mounted there. */
  mountPoint(name: string): string;
}

export async function loopArea(t: Teardown, prefix = 'sa-loop-'): Promise<LoopArea> {
  const dir = mkdtempSync(join('/tmp', prefix));
  const loops: string[] = [];
  const mounts: string[] = [];
  t.teardown(async () => {
    for (const m of mounts) if (isMounted(m)) await execa('umount', [m], { reject: false });
    for (const l of loops) await execa('losetup', ['-d', l], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });
  let n = 0;
  return {
    dir,
    async attach(size, opts = {}) {
      const img = join(dir, opts.name ?? `disk${++n}.img`);
      await execa('truncate', ['-s', size, img]);
      const dev = String((await execa('losetup', [...(opts.partitions === false ? [] : ['-P']), '-f', '--show', img])).stdout).trim();
      loops.push(dev);
      return dev;
    },
    mountPoint(name) {
      const p = join(dir, name);
      mounts.push(p);
      return p;
    }
  };
}

/** The partition numbers the kernel knows for a loop device (/proc/partitions). */
export function kernelPartitions(dev: string): number[] {
  const base = dev.replace(/^\/dev\//, '');
  const text = readFileSync('/proc/partitions', 'utf8');
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const name = line.trim().split(/\s+/)[3];
    const m = name?.startsWith(`${base}p`) ? /^p(\d+)$/.exec(name.slice(base.length)) : null;
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}
