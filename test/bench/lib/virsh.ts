// One long-lived `virsh -q -c URI` process reading commands on stdin, so the benchmark measures
// libvirt's work and not virsh's process start. A step = some commands followed by two marker
// commands (see markers.ts); the step is finished when both markers have come back, and it
// failed when virsh wrote anything else on stderr meanwhile (virsh reports every failed
// command with `error: ...` on stderr and goes on with the next one).

import { execa, type ResultPromise } from 'execa';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { stopPid } from './cleanup.js';
import { MarkerBuffer, markerCommands, stderrMarker, stdoutMarker, stepErrors, virshLine } from './markers.js';

export interface StepResult {
  stdout: string;
  stderr: string;
}

export class VirshError extends Error {
  constructor(
    message: string,
    readonly commands: string[],
    readonly stderr: string,
  ) {
    super(message);
    this.name = 'VirshError';
  }
}

interface Pending {
  n: number;
  commands: string[];
  stdout?: string;
  stderr?: string;
  resolve: (r: StepResult) => void;
  reject: (e: Error) => void;
}

export class VirshSession {
  private readonly child: ResultPromise;
  private readonly out = new MarkerBuffer();
  private readonly err = new MarkerBuffer();
  private readonly queue: Pending[] = [];
  private nextStep = 1;
  private exited = false;
  private closing = false;
  private readonly done: Promise<unknown>;
  readonly pid: number;

  /** `home` is a temp dir: virsh keeps its readline history in $XDG_CACHE_HOME. */
  constructor(
    readonly uri: string,
    home: string,
    private readonly timeoutMs = 300_000,
  ) {
    mkdirSync(join(home, 'cache'), { recursive: true });
    mkdirSync(join(home, 'config'), { recursive: true });
    this.child = execa('virsh', ['-q', '-c', uri], {
      env: {
        HOME: home,
        XDG_CACHE_HOME: join(home, 'cache'),
        XDG_CONFIG_HOME: join(home, 'config'),
        LC_ALL: 'C',
        TERM: 'dumb',
      },
      extendEnv: true,
      stdin: 'pipe',
      buffer: false,
      reject: false,
      encoding: 'utf8',
    });
    if (this.child.pid === undefined) throw new Error('could not spawn virsh');
    this.pid = this.child.pid;
    // EPIPE when virsh died: reported through the exit handler below, not as a crash.
    this.child.stdin!.on('error', () => undefined);
    this.child.stdout!.setEncoding('utf8');
    this.child.stderr!.setEncoding('utf8');
    this.child.stdout!.on('data', (c: string) => {
      this.out.push(c);
      this.settle();
    });
    this.child.stderr!.on('data', (c: string) => {
      this.err.push(c);
      this.settle();
    });
    this.done = this.child.then((r) => {
      this.exited = true;
      const why = new Error(`virsh exited (code ${r.exitCode ?? r.signal}); stderr so far: ${this.err.pending.trim()}`);
      for (const p of this.queue.splice(0)) p.reject(why);
      return r;
    });
  }

  private settle(): void {
    while (this.queue.length) {
      const head = this.queue[0]!;
      if (head.stdout === undefined) head.stdout = this.out.take(stdoutMarker(head.n));
      if (head.stderr === undefined) head.stderr = this.err.take(stderrMarker(head.n));
      if (head.stdout === undefined || head.stderr === undefined) return;
      this.queue.shift();
      const errors = stepErrors(head.stderr);
      if (errors) {
        head.reject(new VirshError(`virsh failed: ${errors}`, head.commands, errors));
      } else {
        head.resolve({ stdout: head.stdout, stderr: errors });
      }
    }
  }

  /**
   * Writes the commands (each an argv, quoted for virsh) and the step's markers, and resolves
   * when virsh has run them all; rejects with VirshError if any of them failed.
   */
  step(commands: readonly (readonly string[])[]): Promise<StepResult> {
    if (this.exited || this.closing) return Promise.reject(new Error('virsh is not running'));
    const n = this.nextStep++;
    const lines = commands.map(virshLine);
    return new Promise<StepResult>((resolve, reject) => {
      // A step that does not finish in time fails the run; later markers can no longer be
      // trusted, so the session is ended.
      const timer = setTimeout(() => {
        reject(new Error(`virsh: no end of step within ${this.timeoutMs} ms: ${lines.slice(0, 3).join('; ')}`));
        void this.close();
      }, this.timeoutMs);
      timer.unref();
      const settle = <A>(f: (a: A) => void) => (a: A) => {
        clearTimeout(timer);
        f(a);
      };
      this.queue.push({ n, commands: lines, resolve: settle(resolve), reject: settle(reject) });
      this.child.stdin!.write([...lines, ...markerCommands(n)].join('\n') + '\n');
    });
  }

  /** Ends the session: `quit`, then EOF; killed by PID if it does not exit. */
  async close(): Promise<void> {
    if (!this.exited && !this.closing) {
      this.closing = true;
      this.child.stdin!.end('quit\n');
      const timeout = new Promise((res) => setTimeout(res, 3000).unref());
      await Promise.race([this.done, timeout]);
    }
    if (!this.exited) await stopPid(this.pid, this.done);
    await this.done;
  }
}
