// A private OpenSSH server on 127.0.0.1 for tests: its own host key, one authorized client key,
// and an ssh client config that trusts exactly that host key, all in a temp dir. Started in the
// foreground (`sshd -D -e`), ready once it logs that it listens, stopped by its PID.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { tempDir } from './paths.js';

type T = { teardown(fn: () => void | Promise<void>): void };

export interface Sshd {
  port: number;
  dir: string;
  /** ssh client config (for `ssh -F`): Host * -> 127.0.0.1:port as root with the test key. */
  clientConfig: string;
  identity: string;
  knownHosts: string;
  user: string;
  /** Everything sshd logged so far (one "Accepted publickey" line per login). */
  log(): string;
  stop(): Promise<void>;
}

export const SSHD = '/usr/sbin/sshd';

/** Why the ssh tests cannot run here, or null. On CI they must run (.ci/run installs openssh-server). */
export function sshdMissing(): string | null {
  if (!existsSync(SSHD)) return 'no /usr/sbin/sshd (apt-get install openssh-server openssh-client)';
  if (process.getuid?.() !== 0) return 'sshd for tests is started as root';
  return null;
}

/** A port nothing listens on right now (the kernel's choice). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export function keygen(path: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'storage-agent-test', '-f', path]);
  return readFileSync(`${path}.pub`, 'utf8').trim();
}

export async function startSshd(t: T): Promise<Sshd> {
  const dir = tempDir(t, 'sa-sshd-');
  const port = await freePort();
  const hostKey = keygen(join(dir, 'host_key'));
  const identity = join(dir, 'id_ed25519');
  writeFileSync(join(dir, 'authorized_keys'), `${keygen(identity)}\n`);
  const knownHosts = join(dir, 'known_hosts');
  writeFileSync(knownHosts, `[127.0.0.1]:${port} ${hostKey.split(' ').slice(0, 2).join(' ')}\n`);
  const config = join(dir, 'sshd_config');
  writeFileSync(config, [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'UsePAM no',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'PermitRootLogin prohibit-password',
    // The login's PATH must find the node that runs bin/storage-agent (its shebang is env node).
    `SetEnv PATH=${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    'Subsystem sftp internal-sftp',
    'LogLevel INFO',
    ''
  ].join('\n'));
  const user = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
  const clientConfig = join(dir, 'ssh_config');
  writeFileSync(clientConfig, [
    'Host *',
    '  HostName 127.0.0.1',
    `  Port ${port}`,
    `  User ${user}`,
    `  IdentityFile ${identity}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  LogLevel ERROR',
    ''
  ].join('\n'));
  // sshd's privilege separation directory (Debian's service creates it; no service runs here).
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let log = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => {
      log += d;
      if (log.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
    });
    void exited.then(() => reject(new Error(`sshd exited before listening: ${log}`)));
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
  };
  t.teardown(stop);
  return { port, dir, clientConfig, identity, knownHosts, user, log: () => log, stop };
}
