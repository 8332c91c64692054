// CPU time, for the few tests that must show something is cheap: unlike the wall clock, this
// process's CPU time does not grow when other work loads the machine.

/** Milliseconds of CPU (user + system) this process spent in `f`. */
export function cpuMs(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(c0);
  return (d.user + d.system) / 1000;
}
