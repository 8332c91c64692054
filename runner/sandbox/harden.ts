// What Node's permission model leaves open to code in the sandbox, closed before any scriptlet
// loads: signals to other processes (process.kill could kill the agent), exiting the sandbox,
// privileges, and the network (sockets, datagrams, DNS). The permission model itself denies
// spawning, writing files, reading outside the code, workers and native addons.
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';

export class SandboxDenied extends Error {
  readonly code = 'ERR_ACCESS_DENIED';
}

const deny = (what: string) =>
  function denied(): never {
    throw new SandboxDenied(`${what} is not allowed in a scriptlet`);
  };

function replace(obj: object, names: readonly string[], what: string) {
  for (const n of names) {
    try {
      Object.defineProperty(obj, n, { value: deny(`${what}.${n}`), writable: false, configurable: false });
    } catch {
      // Already locked down.
    }
  }
}

/** Close the doors; returns the IPC send the sandbox itself keeps using. */
export function harden(): (m: unknown) => void {
  const send = process.send?.bind(process);
  if (!send) throw new Error('the sandbox must be started with an IPC channel');
  replace(process, ['kill', '_kill', 'abort', 'reallyExit', 'exit', 'dlopen', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'send', 'disconnect', 'chdir', 'umask', '_debugProcess', 'binding', '_linkedBinding'], 'process');
  replace(net.Socket.prototype, ['connect'], 'net.Socket');
  replace(net.Server.prototype, ['listen'], 'net.Server');
  replace(dgram.Socket.prototype, ['bind', 'send', 'connect'], 'dgram.Socket');
  replace(dns, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'resolveCname', 'resolveMx', 'resolveNs', 'resolveTxt', 'resolveSrv', 'reverse'], 'dns');
  replace(dns.promises, ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny', 'reverse'], 'dns.promises');
  for (const name of ['fetch', 'WebSocket', 'EventSource']) {
    try {
      Object.defineProperty(globalThis, name, { value: undefined, writable: false, configurable: false });
    } catch {
      // Absent in this Node.
    }
  }
  // Shared prototypes a scriptlet could pollute to reach the runner's logic in this process.
  Object.freeze(Object.prototype);
  Object.freeze(Array.prototype);
  Object.freeze(Function.prototype);
  return (m: unknown) => send(m as never);
}

/**
 * Imports a scriptlet module may make: relative ones that stay inside the sandbox roots. Read
 * from the compiled source before the module is loaded (dynamic import() is refused outright).
 */
const STATIC_IMPORT = /(?:^|[;\n}])\s*(?:import|export)\s+(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g;

export function importedSpecifiers(source: string): { specifiers: string[]; dynamic: boolean } {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers = [...code.matchAll(STATIC_IMPORT)].map((m) => m[1] as string);
  const dynamic = /\bimport\s*\(|\brequire\s*\(/.test(code);
  return { specifiers, dynamic };
}
