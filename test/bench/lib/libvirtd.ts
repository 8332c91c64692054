// A private libvirtd (Debian's libvirt-daemon, monolithic) with only the storage and secret
// connection drivers, for the benchmark's baseline.
//
// Privacy: a privileged libvirtd keeps its pool definitions in /etc/libvirt/storage (and
// secrets in /etc/libvirt/secrets) and its state in /run/libvirt, whatever its --config says.
// So it runs in its own mount namespace (`unshare --mount`) where an empty temp dir is bound
// over /etc/libvirt and a tmpfs is mounted over /run: nothing of the host's libvirt is read or
// written, and the namespace (with its tmpfs) disappears with the daemon. Its sockets are in
// `unix_sock_dir`, a temp dir outside the namespace's private mounts, so clients reach it.
// `unshare` without --fork and `exec` in the fixed shell script keep one PID: the child we
// spawn is libvirtd itself (checked against its --pid-file).

import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { stopPid } from './cleanup.js';

export const LIBVIRTD = '/usr/sbin/libvirtd';
export const LIBVIRT_LIB = '/usr/lib/x86_64-linux-gnu/libvirt';
const DRIVERS = ['libvirt_driver_storage.so', 'libvirt_driver_secret.so'];

// Fixed script; every path reaches it as a positional parameter, never inside the string.
const NAMESPACE_SCRIPT =
  'set -e; mount -t tmpfs -o mode=0755 bench-run /run; mount --bind "$1" /etc/libvirt; ' +
  'shift; exec "$@"';

export interface Libvirtd {
  pid: number;
  /** URI for virsh -c. */
  uri: string;
  socket: string;
  version: string;
  log: () => string;
  stop: () => Promise<void>;
}

function configText(sockDir: string): string {
  // libvirtd.conf values are quoted strings; temp dir paths never hold quotes (checked).
  if (/["\\\n]/.test(sockDir)) throw new Error(`unusable socket dir: ${sockDir}`);
  return [
    `unix_sock_dir = "${sockDir}"`,
    'unix_sock_rw_perms = "0700"',
    'unix_sock_ro_perms = "0700"',
    'auth_unix_rw = "none"',
    'auth_unix_ro = "none"',
    'listen_tls = 0',
    'listen_tcp = 0',
    'log_level = 3',
    'log_outputs = "3:stderr"',
    '',
  ].join('\n');
}

export async function startLibvirtd(root: string): Promise<Libvirtd> {
  for (const f of [LIBVIRTD, join(LIBVIRT_LIB, 'storage-backend')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing (Debian packages libvirt-daemon, libvirt-daemon-driver-storage-*)`);
  }
  const sockDir = join(root, 'sock');
  const driverDir = join(root, 'drivers');
  const etcDir = join(root, 'etc');
  const confPath = join(root, 'libvirtd.conf');
  const pidPath = join(root, 'libvirtd.pid');
  for (const d of [sockDir, driverDir, etcDir]) mkdirSync(d, { recursive: true });
  for (const so of DRIVERS) {
    const src = join(LIBVIRT_LIB, 'connection-driver', so);
    if (!existsSync(src)) throw new Error(`${src} is missing`);
    symlinkSync(src, join(driverDir, so));
  }
  writeFileSync(confPath, configText(sockDir));

  const versionOut = String((await execa(LIBVIRTD, ['--version'])).stdout);
  const version = /([0-9]+\.[0-9]+\.[0-9]+)/.exec(versionOut)?.[1] ?? versionOut.trim();

  const child: ResultPromise = execa(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', NAMESPACE_SCRIPT, 'sh', etcDir,
      LIBVIRTD, '--config', confPath, '--pid-file', pidPath],
    {
      env: {
        LIBVIRT_DRIVER_DIR: driverDir,
        LIBVIRT_STORAGE_BACKEND_DIR: join(LIBVIRT_LIB, 'storage-backend'),
        LIBVIRT_STORAGE_FILE_DIR: join(LIBVIRT_LIB, 'storage-file'),
        LC_ALL: 'C',
      },
      extendEnv: true,
      stdin: 'ignore',
      buffer: false,
      reject: false,
    },
  );
  let logText = '';
  const keep = (chunk: Buffer): void => {
    logText = (logText + chunk.toString()).slice(-65536);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const done = child.then((r) => {
    exited = true;
    return r;
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not spawn unshare/libvirtd');

  const socket = join(sockDir, 'libvirt-sock');
  const stop = () => stopPid(pid, done);
  const deadline = Date.now() + 15000;
  while (!(existsSync(socket) && existsSync(pidPath))) {
    if (exited) throw new Error(`libvirtd exited during startup:\n${logText.trim()}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`libvirtd did not create ${socket} within 15 s:\n${logText.trim()}`);
    }
    await sleep(20);
  }
  let filePid = 0;
  while (!(filePid > 0) && Date.now() <= deadline) {
    filePid = Number(readFileSync(pidPath, 'utf8').trim());
    if (!(filePid > 0)) await sleep(10);
  }
  if (filePid !== pid) {
    await stop();
    throw new Error(`libvirtd pid file says ${filePid}, spawned pid is ${pid}`);
  }
  return {
    pid,
    uri: `storage:///system?socket=${socket}`,
    socket,
    version,
    log: () => logText,
    stop,
  };
}
