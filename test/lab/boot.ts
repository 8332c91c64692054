// Boots the lab: a QEMU guest under TCG on Debian's own kernel, with the host's root shared
// read-only over 9p (under an overlay with a tmpfs on top, so the guest runs the host's tools
// and this checkout), virtio disks on sparse files, and a read-write 9p folder for results.
// The guest runs one script (run.sh, written here) and powers off; QEMU is killed by its PID
// when the time limit passes.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initramfs } from './initramfs.js';

export const QEMU = '/usr/bin/qemu-system-x86_64';
export const BUSYBOX = '/bin/busybox';
const CACHE = join(tmpdir(), 'storage-agent-lab-cache');

/** The guest's init after switch_root: the host's /bin/sh on the overlay root. */
export const GUEST_INIT = `#!/bin/sh
# Runs as PID 1 on the overlay root; /lab is the results share.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /run
mkdir -p /run/lock /run/lvm /root
# /tmp stays the overlay's (writes land in its tmpfs upper): a tmpfs here would hide a checkout
# that lives under the host's /tmp, as a CI clone may.
echo 1 > /proc/sys/kernel/sysrq
ip link set lo up
hostname sa-lab
cat /proc/uptime > /lab/first-command
sh /lab/run.sh > /lab/run.log 2>&1
echo $? > /lab/rc
sync
echo o > /proc/sysrq-trigger
sleep 30
`;

export interface LabDisk {
  /** Size in bytes (a sparse file). The guest sees the disks in order as /dev/vda, /dev/vdb, ... */
  bytes: number;
}

export interface LabRun {
  /** The guest script's exit code; null when it never wrote one (crash, time limit). */
  rc: number | null;
  timedOut: boolean;
  /** The results folder (host side): files the guest wrote into /lab. */
  dir: string;
  console: string;
  runLog: string;
  /** Guest uptime (s) when its init ran the first command, and the host's wall time to that point and to the end. */
  firstCommandUptime: number | null;
  firstCommandWallMs: number | null;
  wallMs: number;
  /** Removes the results folder and the disk images. */
  cleanup(): void;
}

/** The newest kernel in /boot whose modules are installed, or null. */
export function labKernel(): string | null {
  if (!existsSync('/boot')) return null;
  const versions = readdirSync('/boot')
    .filter((f) => f.startsWith('vmlinuz-'))
    .map((f) => f.slice('vmlinuz-'.length))
    .filter((v) => existsSync(join('/lib/modules', v, 'modules.dep')))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return versions.at(-1) ?? null;
}

/** Why this host cannot run the lab (a message for the skip), or false when it can. */
export function labUnavailable(): string | false {
  if (!existsSync(QEMU)) return `no ${QEMU}: apt-get install qemu-system-x86 (the lab boots a QEMU guest)`;
  if (labKernel() === null) return 'no kernel with its modules in /boot and /lib/modules: apt-get install linux-image-amd64';
  if (!existsSync(BUSYBOX)) return `no ${BUSYBOX}: apt-get install busybox-static (the lab's initramfs)`;
  if (process.getuid?.() !== 0) return 'the lab shares the whole root file system with the guest and needs root';
  return false;
}

export interface BootOptions {
  /** run.sh: what the guest runs (as root, cwd /), its output in run.log. */
  script: string;
  disks?: LabDisk[];
  memMiB?: number;
  timeoutMs: number;
  /** Extra files to put into the results folder before boot (name -> content). */
  files?: Record<string, string>;
}

/** Boot the guest once, run the script, return what it left. */
export async function bootLab(opts: BootOptions): Promise<LabRun> {
  const kernel = labKernel();
  if (kernel === null) throw new Error('no kernel for the lab');
  const initrd = await initramfs(kernel, BUSYBOX, CACHE);
  const dir = mkdtempSync(join(tmpdir(), 'sa-lab-'));
  const results = join(dir, 'lab');
  const disksDir = join(dir, 'disks');
  mkdirSync(results, { mode: 0o755 });
  mkdirSync(disksDir);
  writeFileSync(join(results, 'init.sh'), GUEST_INIT, { mode: 0o755 });
  writeFileSync(join(results, 'run.sh'), opts.script, { mode: 0o755 });
  for (const [name, content] of Object.entries(opts.files ?? {})) writeFileSync(join(results, name), content);
  const args = [
    '-accel', 'tcg,thread=multi', '-cpu', 'max', '-smp', '2', '-m', String(opts.memMiB ?? 2048),
    '-nodefaults', '-display', 'none', '-no-reboot', '-no-user-config',
    '-kernel', `/boot/vmlinuz-${kernel}`, '-initrd', initrd,
    '-append', 'console=ttyS0 panic=-1 loglevel=4',
    '-serial', `file:${join(dir, 'console.log')}`,
    '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap',
    '-virtfs', `local,path=${results},mount_tag=labout,security_model=none`
  ];
  (opts.disks ?? []).forEach((d, i) => {
    const img = join(disksDir, `disk${i}.img`);
    writeFileSync(img, '');
    truncateSync(img, d.bytes); // sparse
    args.push('-drive', `file=${img},if=none,id=d${i},format=raw,cache=unsafe,aio=threads`, '-device', `virtio-blk-pci,drive=d${i},serial=sa-lab-${i}`);
  });
  const started = Date.now();
  const child = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let qemuErr = '';
  child.stderr.on('data', (b: Buffer) => (qemuErr += String(b)));
  let firstCommandWallMs: number | null = null;
  const poll = setInterval(() => {
    if (firstCommandWallMs === null && existsSync(join(results, 'first-command'))) firstCommandWallMs = Date.now() - started;
  }, 250);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
  }, opts.timeoutMs);
  await new Promise<void>((resolve) => child.on('exit', () => resolve()));
  clearTimeout(timer);
  clearInterval(poll);
  const wallMs = Date.now() - started;
  const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
  const rcText = read(join(results, 'rc')).trim();
  const uptime = read(join(results, 'first-command')).trim().split(/\s+/)[0];
  return {
    rc: rcText === '' ? null : Number(rcText),
    timedOut,
    dir: results,
    console: read(join(dir, 'console.log')) + (qemuErr ? `\n[qemu stderr]\n${qemuErr}` : ''),
    runLog: read(join(results, 'run.log')),
    firstCommandUptime: uptime ? Number(uptime) : null,
    firstCommandWallMs,
    wallMs,
    cleanup: () => rmSync(dir, { recursive: true, force: true })
  };
}
