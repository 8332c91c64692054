// runCommand starts processes with node:child_process. Until it did, it used execa; these cases
// run both the current runCommand and that execa-based version (kept below as the reference,
// with exactly the options it had) and want the same CommandResult, plus the facts each case is
// about, so a change of either shows.
import t, { type Test } from 'tap';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FIXED_PATH, OUTPUT_CAP, runCommand, type RunOptions } from '../../../runner/exec/run-command.js';
import type { CommandResult } from '../../../runner/scriptlet/api.js';

/** runCommand as it was with execa 9 (runner/exec/run-command.ts before the change). */
async function referenceRun(file: string, argv: readonly string[], opts: RunOptions = {}): Promise<CommandResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const child = execa(file, argv.slice(1), {
    shell: false,
    reject: false,
    extendEnv: false,
    env: { LC_ALL: 'C', LANG: 'C', PATH: FIXED_PATH, ...opts.env },
    input: opts.stdin,
    stdin: opts.stdin === undefined ? 'ignore' : 'pipe',
    detached: true,
    cleanup: true,
    maxBuffer: OUTPUT_CAP,
    stripFinalNewline: false,
    encoding: 'utf8'
  });
  let timedOut = false;
  let killedByAbort = false;
  const killGroup = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  const onAbort = () => {
    killedByAbort = true;
    killGroup();
  };
  if (opts.signal) {
    if (opts.signal.aborted) onAbort();
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  if (opts.onStdout && child.stdout) child.stdout.on('data', (d: Buffer | string) => opts.onStdout?.(String(d)));
  try {
    const r = await child;
    const truncated = Boolean((r as { isMaxBuffer?: boolean }).isMaxBuffer);
    if (truncated) killGroup();
    const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
    return {
      argv: [...argv],
      exitCode,
      signal: r.signal ?? null,
      stdout: typeof r.stdout === 'string' ? r.stdout : '',
      stderr: typeof r.stderr === 'string' ? r.stderr : String((r as { cause?: { message?: string } }).cause?.message ?? ''),
      failed: exitCode !== 0 || timedOut || killedByAbort,
      timedOut,
      truncated
    };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'sa-run-command-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const notExecutable = join(dir, 'not-executable');
writeFileSync(notExecutable, '#!/bin/sh\necho hi\n');
chmodSync(notExecutable, 0o644);

const SH = '/bin/sh';
const sh = (script: string): [string, string[]] => [SH, ['sh', '-c', script]];

/** Both implementations on one case; options made afresh for each (an AbortSignal fires once). */
async function both(t: Test, file: string, argv: string[], opts: () => RunOptions = () => ({})): Promise<CommandResult> {
  const now = await runCommand(file, argv, opts());
  const ref = await referenceRun(file, argv, opts());
  t.same(now, ref, `${argv.join(' ').slice(0, 60)}: same result as with execa`);
  return now;
}

t.test('exit status, output, stderr', async (t) => {
  const r = await both(t, ...sh('echo out; echo err >&2; exit 3'));
  t.match(r, { exitCode: 3, signal: null, stdout: 'out\n', stderr: 'err\n', failed: true, timedOut: false, truncated: false });
  const ok = await both(t, ...sh('printf "no newline"'));
  t.match(ok, { exitCode: 0, stdout: 'no newline', failed: false }, 'the final newline is never stripped (here: none)');
  t.equal((await both(t, ...sh('printf "a\\n\\n"'))).stdout, 'a\n\n', 'final newlines kept');
});

t.test('killed by a signal', async (t) => {
  const r = await both(t, ...sh('echo x; kill -TERM $$'));
  t.match(r, { exitCode: null, signal: 'SIGTERM', stdout: 'x\n', failed: true });
});

t.test('environment: LC_ALL, LANG, the fixed PATH and what the caller adds, nothing else', async (t) => {
  process.env['SA_RUN_COMMAND_LEAK'] = 'leaked';
  t.teardown(() => delete process.env['SA_RUN_COMMAND_LEAK']);
  // tap's process-info hook adds its own variables to every child it sees: left out here.
  // (env -0: some of them span lines.)
  const own = (stdout: string) => stdout.split('\0').filter((l) => l !== '' && !/^_TAPJS_|^NODE_OPTIONS=.*@tapjs/s.test(l));
  const r = await both(t, '/usr/bin/env', ['env', '-0']);
  t.same(own(r.stdout), ['LC_ALL=C', 'LANG=C', `PATH=${FIXED_PATH}`]);
  const more = await both(t, '/usr/bin/env', ['env', '-0'], () => ({ env: { PATH: '/bin', EXTRA: '1' } }));
  t.same(own(more.stdout), ['LC_ALL=C', 'LANG=C', 'PATH=/bin', 'EXTRA=1']);
});

t.test('stdin: given input, or none', async (t) => {
  t.equal((await both(t, '/bin/cat', ['cat'], () => ({ stdin: 'abc\n' }))).stdout, 'abc\n');
  t.equal((await both(t, ...sh('cat; echo rc=$?'))).stdout, 'rc=0\n', 'no input: stdin is /dev/null');
  const unread = await both(t, '/bin/true', ['true'], () => ({ stdin: 'x'.repeat(1 << 20) }));
  t.match(unread, { exitCode: 0, failed: false }, 'input the tool never reads is not a failure');
});

t.test('a process that could not start', async (t) => {
  for (const file of [join(dir, 'missing'), notExecutable, dir]) {
    const r = await both(t, file, ['x', 'arg']);
    t.match(r, { exitCode: null, signal: null, stdout: '', stderr: '', failed: true, timedOut: false, truncated: false });
  }
});

t.test('UTF-8: characters split across chunks, invalid bytes, a BOM', async (t) => {
  // The euro sign's three bytes written in two writes, a moment apart.
  const split = await both(t, ...sh("printf '\\342\\202'; sleep 0.05; printf '\\254!'"));
  t.equal(split.stdout, '\u20ac!');
  const bad = await both(t, '/usr/bin/printf', ['printf', '\\xff\\xfe ok \\xe2\\x82']);
  t.equal(bad.stdout, '\ufffd\ufffd ok \ufffd');
  t.equal((await both(t, '/usr/bin/printf', ['printf', '\\xef\\xbb\\xbfbom'])).stdout, '\ufeffbom', 'a BOM is kept');
});

t.test('timeout and cancel kill the process group', async (t) => {
  const r = await both(t, ...sh('echo a; sleep 5 & wait'), () => ({ timeoutMs: 200 }));
  t.match(r, { exitCode: null, signal: 'SIGKILL', stdout: 'a\n', failed: true, timedOut: true });
  const cancel = () => {
    const c = new AbortController();
    setTimeout(() => c.abort(), 200);
    return { signal: c.signal };
  };
  t.match(await both(t, ...sh('echo a; sleep 5'), cancel), { signal: 'SIGKILL', failed: true, timedOut: false });
  const already = new AbortController();
  already.abort();
  t.match(await both(t, ...sh('sleep 5'), () => ({ signal: already.signal })), { signal: 'SIGKILL', failed: true });
});

t.test('output over the cap is cut at OUTPUT_CAP characters, the command still runs to its end', async (t) => {
  const over = OUTPUT_CAP + 1000;
  // What execa 9.6.1 gave here (checked when runCommand left it; execa takes seconds per 16 MiB
  // of output, so these cases are not run through it every time).
  const r = await runCommand(...sh(`head -c ${over} /dev/zero; echo done >&2; sleep 0.2; echo late >&2`));
  t.equal(r.stdout.length, OUTPUT_CAP);
  t.equal(r.truncated, true);
  t.equal(r.exitCode, 0);
  t.match(r.stderr, /done\nlate\n$/);
  const err = await runCommand(...sh(`head -c ${over} /dev/zero >&2; echo out`));
  t.match(err, { stdout: 'out\n', truncated: true, exitCode: 0 });
  t.equal(err.stderr.length, OUTPUT_CAP);
  const exact = await runCommand(...sh(`head -c ${OUTPUT_CAP} /dev/zero`));
  t.match(exact, { truncated: false });
  t.equal(exact.stdout.length, OUTPUT_CAP, 'exactly the cap is not cut');
});

t.test('onStdout sees the output as it comes', async (t) => {
  const seen: string[] = [];
  const r = await runCommand(...sh('echo 1; sleep 0.1; echo 2'), { onStdout: (c) => seen.push(c) });
  t.equal(r.stdout, '1\n2\n');
  t.same(seen, ['1\n', '2\n']);
});

t.test('many commands at once', async (t) => {
  const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => runCommand(...sh(`echo ${i}`))));
  t.same(rs.map((r) => r.stdout), Array.from({ length: 20 }, (_, i) => `${i}\n`));
});
