// What Node's permission model leaves open to code in the sandbox, closed before any scriptlet
// loads: signals to other processes (process.kill could kill the agent), exiting the sandbox,
// privileges, the network (sockets, datagrams, DNS), Node's modules by another door
// (process.getBuiltinModule), the IPC channel (sending as the runner does, reading other runs'
// messages), the standard streams, timers that would outlive a run, and changes to the shared
// built-in objects (a run patching String.prototype or Map.prototype would act inside other
// runs). The permission model itself denies spawning, writing files, reading outside the code,
// workers and native addons.
import net from 'node:net';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { EventEmitter } from 'node:events';

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

/** A property that throws when read (process.stdout and the like). */
function shutGetter(obj: object, name: string, what: string) {
  try {
    Object.defineProperty(obj, name, { get: deny(`${what}.${name}`), configurable: false });
  } catch {
    // Not configurable here: left as it is.
  }
}

/** Freeze an object, what it reaches through its properties and accessors, and its prototype chain. */
function deepFreeze(root: unknown, seen: Set<unknown>, skip: ReadonlySet<unknown>) {
  const stack: unknown[] = [root];
  while (stack.length) {
    const o = stack.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o) || skip.has(o)) continue;
    seen.add(o);
    try {
      Object.freeze(o);
    } catch {
      // A proxy or exotic object that refuses: left as it is.
    }
    stack.push(Object.getPrototypeOf(o));
    for (const key of Reflect.ownKeys(o as object)) {
      let d: PropertyDescriptor | undefined;
      try {
        d = Object.getOwnPropertyDescriptor(o, key);
      } catch {
        continue;
      }
      if (!d) continue;
      if ('value' in d) stack.push(d.value);
      else stack.push(d.get, d.set);
    }
  }
}

/** The built-ins every run shares, reached from the global object. */
const SHARED_GLOBALS = [
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt', 'Date', 'Promise', 'RegExp',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError', 'TypeError', 'URIError',
  'JSON', 'Math', 'Reflect', 'Proxy', 'Intl', 'Atomics', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array',
  'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'Map', 'Set', 'WeakMap', 'WeakSet',
  'WeakRef', 'FinalizationRegistry', 'WebAssembly', 'parseInt', 'parseFloat', 'isNaN', 'isFinite',
  'encodeURI', 'encodeURIComponent', 'decodeURI', 'decodeURIComponent', 'escape', 'unescape',
  'Buffer', 'URL', 'URLSearchParams', 'TextEncoder', 'TextDecoder', 'AbortController', 'AbortSignal',
  'EventTarget', 'Event', 'queueMicrotask', 'structuredClone', 'atob', 'btoa', 'console'
];

/** Close the doors; returns the IPC send the sandbox itself keeps using. */
export function harden(): (m: unknown) => void {
  const p = process as unknown as Record<string, unknown> & { _send?: (...a: unknown[]) => unknown; connected?: boolean; channel?: object };
  const rawSend = p._send;
  if (typeof rawSend !== 'function' || !p.channel) throw new Error('the sandbox must be started with an IPC channel');
  // The runner's own send: Node's _send (what process.send calls once it checked its arguments),
  // kept here before process.send and process._send are shut.
  const send = (m: unknown) => {
    if (p.connected) rawSend.call(process, m, undefined, { swallowErrors: false }, undefined);
  };

  // Node disconnects the channel when the runner is gone (killed): the sandbox then ends quietly
  // instead of printing a trace. Called by a scriptlet (no frame of Node's channel code below
  // it), it is refused like the rest.
  const reallyExit = (process as unknown as { reallyExit(code: number): never }).reallyExit.bind(process);
  const disconnect = deny('process.disconnect');
  try {
    Object.defineProperty(process, 'disconnect', {
      value: () => (/\(node:internal\/child_process:/.test(new Error().stack ?? '') ? reallyExit(0) : disconnect()),
      writable: false,
      configurable: false
    });
  } catch {
    // Already locked down.
  }
  replace(process, ['kill', '_kill', 'abort', 'reallyExit', 'exit', 'dlopen', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups', 'send', '_send', 'chdir', 'umask', '_debugProcess', 'binding', '_linkedBinding', 'getBuiltinModule', 'openStdin'], 'process');
  for (const s of ['stdin', 'stdout', 'stderr']) shutGetter(process, s, 'process');
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
  // Timers would keep running in the shared sandbox after their run is over (scriptlets wait
  // only for the runner's answers).
  replace(globalThis, ['setTimeout', 'setInterval', 'setImmediate'], 'globalThis');

  // The IPC channel. The runner's 'message' listener is in place (child.ts registers it first):
  // no other may be added and it cannot be swapped, so a run cannot read the messages (and
  // tokens) of other runs. (The pipe's reader is in a private field of process.channel, out of
  // reach; the channel object itself is left alone: Node writes to it.)
  const events = p['_events'] as Record<string, unknown> | undefined;
  if (events && events['message']) {
    Object.defineProperty(events, 'message', { writable: false, configurable: false });
    Object.defineProperty(process, '_events', { writable: false, configurable: false });
  }
  const proto = EventEmitter.prototype as unknown as Record<string, (this: unknown, ...a: unknown[]) => unknown>;
  for (const m of ['on', 'addListener', 'prependListener', 'once', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'listeners', 'rawListeners']) {
    const orig = proto[m];
    if (typeof orig !== 'function') continue;
    Object.defineProperty(proto, m, {
      value: function (this: unknown, event: unknown, ...rest: unknown[]) {
        if (this === process && event === 'message') throw new SandboxDenied(`process.${m}('message') is not allowed in a scriptlet`);
        return orig.call(this, event, ...rest);
      },
      writable: false,
      configurable: false
    });
  }
  // Node delivers messages through process.nextTick and process.emit: neither may be swapped,
  // nor shadowed by an own property on process.
  for (const m of Object.getOwnPropertyNames(EventEmitter.prototype)) {
    const v = proto[m];
    if (m === 'constructor' || typeof v !== 'function' || Object.prototype.hasOwnProperty.call(process, m)) continue;
    try {
      Object.defineProperty(process, m, { value: v, writable: false, enumerable: false, configurable: false });
    } catch {
      // Already locked.
    }
  }
  for (const key of Reflect.ownKeys(process)) {
    const d = Object.getOwnPropertyDescriptor(process, key);
    if (d && 'value' in d && typeof d.value === 'function' && d.configurable) {
      Object.defineProperty(process, key, { value: d.value, writable: false, enumerable: d.enumerable ?? false, configurable: false });
    }
  }

  // Scriptlets print nothing: console is a no-op (its streams are shut above).
  for (const k of Object.keys(console)) {
    if (typeof (console as unknown as Record<string, unknown>)[k] === 'function') (console as unknown as Record<string, unknown>)[k] = () => undefined;
  }

  // Shared built-ins, frozen with everything they reach, and the prototypes behind iterators,
  // generators and async functions (not reachable by name).
  const seen = new Set<unknown>();
  const skip = new Set<unknown>([globalThis, process]);
  const g = globalThis as unknown as Record<string, unknown>;
  for (const name of SHARED_GLOBALS) {
    let v: unknown;
    try {
      v = g[name];
    } catch {
      continue;
    }
    deepFreeze(v, seen, skip);
  }
  const hidden: unknown[] = [
    [][Symbol.iterator](), new Map()[Symbol.iterator](), new Set()[Symbol.iterator](), ''[Symbol.iterator](), /x/[Symbol.matchAll](''),
    function* gen() {}, async function af() {}, async function* ag() {}, Object.getPrototypeOf(Int8Array),
    EventEmitter, Object.getPrototypeOf(process)
  ];
  for (const h of hidden) deepFreeze(h, seen, skip);
  return send;
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
