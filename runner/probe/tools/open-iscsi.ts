import type { ToolProbe } from './types.js';

// `iscsiadm --version` prints "iscsiadm version 2.1.8" (2.1 on, the meson series) and
// "iscsiadm version 2.0-874" before (Debian 9-10, Ubuntu 18.04); Red Hat's builds print
// "iscsiadm version 6.2.0.874-22" for the same 2.0-874 sources. Both old forms read as 2.0.874, so
// the scriptlets' ranges see one number line.
export function parseIscsiadmVersion(stdout: string): string | null {
  const m = /^iscsiadm version (\S+)/m.exec(stdout);
  const v = m?.[1];
  if (!v) return null;
  const old = /^2\.0-(\d+)/.exec(v) ?? /^6\.2\.0\.(\d+)/.exec(v);
  if (old) return `2.0.${old[1]}`;
  return /^(\d+\.\d+(?:\.\d+)?)/.exec(v)?.[1] ?? null;
}

export const openIscsiProbe: ToolProbe = {
  tool: 'open-iscsi',
  binary: 'iscsiadm',
  package: 'open-iscsi',
  args: ['--version'],
  parse: (stdout) => parseIscsiadmVersion(stdout)
};
