// A private iSCSI target for tests: Debian's userspace tgtd on 127.0.0.1 at a free port, with its
// own control port (-C N), one target whose LUNs are sparse files in a temp dir, optionally CHAP
// and an initiator ACL. tgtd ignores SIGTERM (../shared/lab-notes.md), so stop() deletes the
// target and then the system with tgtadm, waits for tgtd to exit, and kills it by PID only if it
// is still alive; the files go last.
import { spawn, type ChildProcess } from 'node:child_process';
import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TgtdOptions {
  /** LUN sizes in MiB (LUN 1, 2, ...; tgtd's LUN 0 is its controller). */
  lunsMiB: number[];
  iqn?: string;
  chap?: { user: string; password: string };
  /** Only this initiator IQN may log in (default: any). */
  initiator?: string;
}

export interface Tgtd {
  port: number;
  control: number;
  iqn: string;
  dir: string;
  /** The backing file of LUN n (1-based). */
  lunFile(n: number): string;
  stop(): Promise<void>;
}

export function tgtdUnavailable(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  if (!existsSync('/usr/sbin/tgtd') || !existsSync('/usr/sbin/tgtadm')) return 'tgt is not installed (Debian: tgt)';
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** A control port no other tgtd uses (its socket file is /var/run/tgtd/socket.N). */
function freeControl(): number {
  for (let n = 200 + (process.pid % 500); n < 1200; n++) if (!existsSync(`/var/run/tgtd/socket.${n}`)) return n;
  throw new Error('no free tgtd control port');
}

export async function startTgtd(opts: TgtdOptions): Promise<Tgtd> {
  const dir = mkdtempSync(join(tmpdir(), 'sa-tgtd-'));
  const iqn = opts.iqn ?? 'iqn.2026-12.test.storage-agent:pool';
  const port = await freePort();
  const control = freeControl();
  const files = opts.lunsMiB.map((mib, i) => {
    const f = join(dir, `lun${i + 1}.img`);
    writeFileSync(f, '');
    truncateSync(f, mib * 1024 * 1024);
    return f;
  });
  mkdirSync('/var/run/tgtd', { recursive: true });
  const child: ChildProcess = spawn('/usr/sbin/tgtd', ['-f', '-C', String(control), '--iscsi', `portal=127.0.0.1:${port}`], { stdio: 'ignore', detached: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const adm = (...args: string[]) => execa('/usr/sbin/tgtadm', ['-C', String(control), '--lld', 'iscsi', ...args], { reject: false });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await adm('--op', 'delete', '--mode', 'target', '--tid', '1', '--force');
      await adm('--op', 'delete', '--mode', 'system');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    // tgtd leaves its control socket files behind.
    for (const f of [`/var/run/tgtd/socket.${control}`, `/var/run/tgtd/socket.${control}.lock`]) rmSync(f, { force: true });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Ready when its control socket answers (tgtd starts listening after it has set up).
    let up = false;
    for (let i = 0; i < 200 && !up; i++) {
      if (child.exitCode !== null) throw new Error(`tgtd exited with ${child.exitCode}`);
      up = (await adm('--op', 'show', '--mode', 'sys')).exitCode === 0;
      if (!up) await new Promise((r) => setTimeout(r, 50));
    }
    if (!up) throw new Error('tgtd did not answer on its control port');
    const must = async (...args: string[]) => {
      const r = await adm(...args);
      if (r.exitCode !== 0) throw new Error(`tgtadm ${args.join(' ')}: ${r.stderr}`);
    };
    await must('--op', 'new', '--mode', 'target', '--tid', '1', '-T', iqn);
    for (const [i, f] of files.entries()) await must('--op', 'new', '--mode', 'logicalunit', '--tid', '1', '--lun', String(i + 1), '-b', f);
    await must('--op', 'bind', '--mode', 'target', '--tid', '1', ...(opts.initiator ? ['--initiator-name', opts.initiator] : ['-I', 'ALL']));
    if (opts.chap) {
      await must('--op', 'new', '--mode', 'account', '--user', opts.chap.user, '--password', opts.chap.password);
      await must('--op', 'bind', '--mode', 'account', '--tid', '1', '--user', opts.chap.user);
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, control, iqn, dir, lunFile: (n) => files[n - 1] as string, stop };
}
