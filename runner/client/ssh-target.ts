// Where a remote agent is and how OpenSSH's own `ssh` reaches it: the argv of the ssh command,
// built apart from running it. No transport of our own: ssh's config, keys, known hosts and
// agent are the user's, as for any other ssh command.

export interface SshTarget {
  /** Host name or address (or a Host alias from the ssh config). */
  host: string;
  user?: string;
  port?: number;
  /** `ssh -F FILE`: an ssh config to use instead of ~/.ssh/config. */
  configFile?: string;
  /** Extra `-o Key=Value` options (IdentityFile=..., UserKnownHostsFile=...). */
  options?: readonly string[];
  /** The agent's command on the remote host (default `storage-agent`, looked up on its PATH). */
  agent?: readonly string[];
  /** Seconds ssh waits for the host before giving up (ssh's ConnectTimeout; default 10). */
  connectTimeoutSec?: number;
  /** The ssh binary (default `ssh` on PATH). */
  sshBinary?: string;
}

/** One argv element made safe for the remote user's POSIX shell (ssh sends the command as one line). */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

const DEFAULT_CONNECT_TIMEOUT_SEC = 10;

/**
 * ssh's argv for running `AGENT [--home HOME] serve` on the target. BatchMode: never ask for a
 * password or a host key on the terminal (a caller has none; it would hang); `-T`: no tty, so
 * the JSON-RPC lines pass untouched; `--` ends ssh's options, so a host cannot be read as one.
 */
export function sshArgv(target: SshTarget, remoteArgs: readonly string[]): { file: string; args: string[] } {
  const args = ['-T', '-o', 'BatchMode=yes', '-o', `ConnectTimeout=${target.connectTimeoutSec ?? DEFAULT_CONNECT_TIMEOUT_SEC}`];
  if (target.configFile !== undefined) args.push('-F', target.configFile);
  if (target.port !== undefined) args.push('-p', String(target.port));
  if (target.user !== undefined) args.push('-l', target.user);
  for (const o of target.options ?? []) args.push('-o', o);
  const command = [...(target.agent ?? ['storage-agent']), ...remoteArgs].map(shellQuote).join(' ');
  args.push('--', target.host, command);
  return { file: target.sshBinary ?? 'ssh', args };
}

/**
 * `ssh://[user@]host[:port][?agent=PATH]` (the form `--connect` takes). `agent` names the
 * agent's command on the remote host, as libvirt's `?command=`-style query options do.
 */
export function parseSshUrl(text: string): SshTarget | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `not a URL: ${JSON.stringify(text)} (expected ssh://[user@]host[:port])`;
  }
  if (url.protocol !== 'ssh:') return `unsupported connection ${JSON.stringify(url.protocol)} (only ssh://[user@]host[:port])`;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (!host || host.startsWith('-')) return `no host in ${JSON.stringify(text)}`;
  if (url.password) return 'a password in the URL is refused: use ssh keys (ssh-agent, IdentityFile)';
  if (url.pathname !== '' && url.pathname !== '/') return `unexpected path ${JSON.stringify(url.pathname)} in ${JSON.stringify(text)}`;
  const target: SshTarget = { host };
  if (url.username) target.user = decodeURIComponent(url.username);
  if (url.port) target.port = Number(url.port);
  for (const [k, v] of url.searchParams) {
    if (k === 'agent' && v) target.agent = [v];
    else return `unknown URL option ${JSON.stringify(k)} (known: agent)`;
  }
  return target;
}
