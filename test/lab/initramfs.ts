// The lab guest's initramfs: a static busybox, the few modules needed to reach the host's root
// over 9p (virtio, 9p, overlay, found with `modprobe -S V --show-depends`), and an /init that
// mounts that root read-only under an overlay with a tmpfs on top and switches to it. Written
// as a newc cpio in Node (no cpio binary needed), gzipped, cached by its inputs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';

/** Modules the initramfs loads, in this order, with what they depend on before them. */
const MODULES = ['virtio_pci', 'virtio_blk', '9pnet_virtio', '9p', 'overlay'];

interface Entry {
  name: string;
  mode: number;
  data?: Buffer;
  /** A device node's major and minor. */
  rdev?: [number, number];
}

/** One newc header + name + data, each padded to 4 bytes. */
function newcEntry(e: Entry, ino: number): Buffer {
  const data = e.data ?? Buffer.alloc(0);
  const name = Buffer.from(`${e.name}\0`);
  const hex = (n: number) => n.toString(16).padStart(8, '0');
  const fields = [ino, e.mode, 0, 0, 1, 0, data.length, 0, 0, e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0];
  const header = Buffer.from(`070701${fields.map(hex).join('')}`);
  const pad = (n: number) => Buffer.alloc((4 - (n % 4)) % 4);
  return Buffer.concat([header, name, pad(header.length + name.length), data, pad(data.length)]);
}

export function cpioNewc(entries: readonly Entry[]): Buffer {
  const parts = entries.map((e, i) => newcEntry(e, i + 1));
  parts.push(newcEntry({ name: 'TRAILER!!!', mode: 0 }, 0));
  return Buffer.concat(parts);
}

const DIR = 0o040755;
const FILE = 0o100644;
const EXEC = 0o100755;

/** The initramfs /init (busybox sh): 9p root, read-only, under an overlay; then switch_root. */
export const INITRAMFS_INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /modules.list); do insmod "$m" || echo "lab-initramfs: insmod $m failed"; done
mkdir -p /ro /rw /newroot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro hostroot /ro || { echo "lab-initramfs: no host root"; echo o > /proc/sysrq-trigger; }
mount -t tmpfs -o size=70% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work overlay /newroot
mkdir -p /newroot/lab
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 labout /newroot/lab || { echo "lab-initramfs: no results share"; echo o > /proc/sysrq-trigger; }
umount /sys /proc
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/sh /lab/init.sh
`;

/** The module files to load (dependencies first, each once) for kernel `version`. */
async function moduleFiles(version: string): Promise<string[]> {
  const out: string[] = [];
  for (const m of MODULES) {
    const r = await execa('modprobe', ['-S', version, '--show-depends', m]);
    for (const line of String(r.stdout).split('\n')) {
      const f = line.trim().split(/\s+/)[1];
      if (line.startsWith('insmod ') && f && !out.includes(f)) out.push(f);
    }
  }
  return out;
}

/** The initramfs for kernel `version`, built once into `cacheDir` and reused while its inputs are unchanged. */
export async function initramfs(version: string, busybox: string, cacheDir: string): Promise<string> {
  const mods = await moduleFiles(version);
  const key = createHash('sha256');
  key.update(INITRAMFS_INIT);
  for (const f of [busybox, ...mods]) {
    const s = statSync(f);
    key.update(`${f}:${s.size}:${s.mtimeMs}\n`);
  }
  const out = join(cacheDir, `initramfs-${version}-${key.digest('hex').slice(0, 16)}.cpio.gz`);
  if (existsSync(out)) return out;
  mkdirSync(cacheDir, { recursive: true });
  const entries: Entry[] = ['bin', 'dev', 'proc', 'sys', 'lib', 'lib/modules'].map((name) => ({ name, mode: DIR }));
  // The console the kernel opens for /init before anything is mounted.
  entries.push({ name: 'dev/console', mode: 0o020600, rdev: [5, 1] });
  entries.push({ name: 'bin/busybox', mode: EXEC, data: readFileSync(busybox) });
  const inRamfs: string[] = [];
  mods.forEach((f, i) => {
    const name = `lib/modules/${String(i).padStart(2, '0')}-${f.split('/').pop()}`;
    entries.push({ name, mode: FILE, data: readFileSync(f) });
    inRamfs.push(`/${name}`);
  });
  entries.push({ name: 'modules.list', mode: FILE, data: Buffer.from(`${inRamfs.join('\n')}\n`) });
  entries.push({ name: 'init', mode: EXEC, data: Buffer.from(INITRAMFS_INIT) });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, gzipSync(cpioNewc(entries)));
  renameSync(tmp, out);
  return out;
}
