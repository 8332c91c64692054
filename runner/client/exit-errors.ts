// Why an agent connection ended before answering, as one of the spec's codes. ssh exits 255 on
// its own failures and names them on stderr (it has no structured output); any other exit code
// is the remote command's, so 127/126 are the remote shell's "not found"/"not executable".
import type { ErrorData } from '../contracts/generated.js';

export interface Ended {
  /** Exit code, or null when killed by a signal. */
  exitCode: number | null;
  signal?: string | undefined;
  /** The end of what the process wrote on stderr. */
  stderr: string;
  /** The spawn itself failed (errno code: ENOENT when the binary is not there). */
  spawnError?: string | undefined;
}

const lastLines = (s: string, n = 5) => s.trim().split('\n').slice(-n).join('\n').slice(-2000);

/** ssh's own failures: the message ssh prints, and the code it means. */
const SSH_FAILURES: readonly [RegExp, ErrorData['code'], string][] = [
  [/Permission denied|Too many authentication failures|Authentication failed/i, 'PERMISSION_DENIED', 'the host refused the login (check the user, the key and authorized_keys)'],
  [/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i, 'PERMISSION_DENIED', 'the host key is not known or has changed (add it to known_hosts)'],
  [/timed out/i, 'TIMEOUT', 'the host did not answer in time (ssh ConnectTimeout)'],
  [/Connection refused/i, 'CONNECT_FAILED', 'nothing listens for ssh there: the host or its sshd is down'],
  [/Could not resolve hostname|Name or service not known|No address associated/i, 'CONNECT_FAILED', 'the host name is unknown'],
  [/No route to host|Network is unreachable/i, 'CONNECT_FAILED', 'the host cannot be reached'],
];

/** The error for requests left without an answer when the agent's process ended. */
export function endedError(how: { remote: string | null; agent: string }, e: Ended): ErrorData {
  const where = how.remote === null ? 'the local agent' : `the agent on ${how.remote}`;
  const stderr = lastLines(e.stderr);
  const extra = { tool: how.remote === null ? how.agent : 'ssh', exitCode: e.exitCode, ...(stderr ? { stderr } : {}) };
  if (e.spawnError === 'ENOENT') {
    return how.remote === null
      ? { code: 'TOOL_MISSING', message: `cannot run ${how.agent}: not found`, package: 'storage-agent (npm)', ...extra }
      : { code: 'TOOL_MISSING', message: 'cannot run ssh: not found (install openssh-client)', package: 'openssh-client', ...extra };
  }
  if (e.spawnError !== undefined) return { code: 'CONNECT_FAILED', message: `cannot start ${how.remote === null ? how.agent : 'ssh'}: ${e.spawnError}`, ...extra };
  if (how.remote !== null && e.exitCode === 255) {
    for (const [re, code, why] of SSH_FAILURES) if (re.test(e.stderr)) return { code, message: `cannot reach ${where}: ${why}`, ...extra };
    return { code: 'CONNECT_FAILED', message: `ssh to ${how.remote} failed${stderr ? `: ${stderr.split('\n').pop()}` : ''}`, ...extra };
  }
  if (e.exitCode === 127) {
    return { code: 'TOOL_MISSING', message: `no agent: ${how.agent} was not found${how.remote === null ? '' : ` on ${how.remote}`} (install the storage-agent package there, or name its path)`, package: 'storage-agent (npm)', ...extra };
  }
  if (e.exitCode === 126) return { code: 'PERMISSION_DENIED', message: `${how.agent}${how.remote === null ? '' : ` on ${how.remote}`} is not executable`, ...extra };
  const ending = e.signal ? `was killed (${e.signal})` : `exited (code ${e.exitCode})`;
  return { code: 'CONNECT_FAILED', message: `${where} ${ending} before answering${stderr ? `: ${stderr.split('\n').pop()}` : ''}`, ...extra };
}
