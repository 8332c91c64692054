// Cleanup that runs once: at the end of the run (finally) or on SIGINT/SIGTERM.
// Steps run in reverse order of registration (daemons before the temp dirs they live in).

type Step = { what: string; run: () => Promise<void> | void };

const steps: Step[] = [];
let running: Promise<void> | null = null;
let signalled = false;

/** True once SIGINT/SIGTERM arrived (errors after that are consequences of the cleanup). */
export function interrupted(): boolean {
  return signalled;
}

export function onCleanup(what: string, run: Step['run']): void {
  steps.push({ what, run });
}

export function cleanupAll(): Promise<void> {
  if (running) return running;
  running = (async () => {
    while (steps.length) {
      const step = steps.pop()!;
      try {
        if (process.env.BENCH_DEBUG) process.stderr.write(`bench: cleanup: ${step.what}\n`);
        await step.run();
      } catch (err) {
        process.stderr.write(`bench: cleanup (${step.what}) failed: ${(err as Error).message}\n`);
      }
    }
  })();
  return running;
}

// `process.on`, not `once`: execa's child cleanup (signal-exit) re-raises a signal to kill this
// process when no other listener is left, which would end the run before the cleanup is done.
export function installSignalHandlers(): void {
  let caught = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      const code = sig === 'SIGINT' ? 130 : 143;
      if (caught) {
        process.stderr.write(`bench: second ${sig}, exiting without finishing the cleanup\n`);
        process.exit(code);
      }
      caught = true;
      signalled = true;
      process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}

/** Sends SIGTERM to one PID, waits for `exited`, then SIGKILL after `graceMs`. */
export async function stopPid(pid: number, exited: Promise<unknown>, graceMs = 5000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return; // already gone
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    exited.then(() => false, () => false),
    new Promise<boolean>((res) => {
      timer = setTimeout(() => res(true), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone meanwhile */
    }
    await exited.catch(() => undefined);
  }
}
