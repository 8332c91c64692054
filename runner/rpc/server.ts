// `storage-agent serve`: JSON-RPC 2.0, one request (or batch) per line on stdin, one response per
// line on stdout, nothing else on stdout. Requests run concurrently; locks keep them apart where
// they touch the same pool or volume. EOF: finish in-flight work, then exit 0.
import type { Readable, Writable } from 'node:stream';
import type { Service, CallContext } from '../service/context.js';
import { dispatch, isMethod } from '../service/dispatch.js';
import { readLines } from './line-reader.js';
import { errorResponse, failure, methodNotFound, parseError, toRequest, invalidRequest, type RpcId, type RpcRequest, type RpcResponse } from './protocol.js';
import { RPC_INVALID_PARAMS } from '../errors.js';
import { autostartPools } from '../service/pools.js';

export interface ServeOptions {
  input: Readable;
  output: Writable;
  log: (msg: string) => void;
}

const PROGRESS_INTERVAL_MS = 200;

export class RpcServer {
  private inflight = new Map<string, AbortController>();
  private pending = new Set<Promise<unknown>>();

  constructor(private readonly svc: Service, private readonly out: Writable) {}

  private write(msg: RpcResponse | RpcResponse[] | object) {
    this.out.write(`${JSON.stringify(msg)}\n`);
  }

  private key(id: RpcId) {
    return JSON.stringify(id);
  }

  /** One request: its response, or null for a notification. */
  async handle(req: RpcRequest): Promise<RpcResponse | null> {
    if (!isMethod(req.method)) return req.hasId ? methodNotFound(req.id, req.method) : null;
    if (Array.isArray(req.params)) {
      return req.hasId ? errorResponse(req.id, RPC_INVALID_PARAMS, { code: 'INVALID_ARGUMENT', message: 'params must be an object (named parameters)', field: 'params' }) : null;
    }
    if (req.method === 'agent.cancel') {
      const bad = this.svc.rt.contracts.checkParams('agent.cancel', req.params ?? {});
      if (bad) return req.hasId ? failure(req.id, bad) : null;
      const target = (req.params as { requestId: string | number }).requestId;
      const c = this.inflight.get(this.key(target));
      c?.abort();
      return req.hasId ? { jsonrpc: '2.0', id: req.id, result: { cancelled: Boolean(c) } } : null;
    }
    const controller = new AbortController();
    const k = this.key(req.id);
    if (req.hasId) this.inflight.set(k, controller);
    let last = 0;
    const call: CallContext = {
      requestId: req.id,
      signal: controller.signal,
      progress: (done, total) => {
        const now = Date.now();
        if (!req.hasId || (now - last < PROGRESS_INTERVAL_MS && done < total)) return;
        last = now;
        this.write({ jsonrpc: '2.0', method: 'progress', params: { requestId: req.id, done, total } });
      }
    };
    try {
      const r = await dispatch(this.svc, call, req.method, req.params);
      if (!req.hasId) return null;
      return r.ok ? { jsonrpc: '2.0', id: req.id, result: r.value } : failure(req.id, r.error);
    } finally {
      if (this.inflight.get(k) === controller) this.inflight.delete(k);
    }
  }

  /** One line of input: a request, a batch, or junk. */
  handleLine(line: string): void {
    // Only JSON's own whitespace makes a line blank; anything else (U+00A0, U+2028...) is a parse error.
    if (/^[ \t\r]*$/.test(line)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      this.write(parseError((e as Error).message.slice(0, 200)));
      return;
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) {
        this.write(invalidRequest(null, 'empty batch'));
        return;
      }
      const work = Promise.all(parsed.map((el) => {
        const r = toRequest(el);
        return 'jsonrpc' in r && !('method' in r) ? Promise.resolve(r) : this.handle(r as RpcRequest);
      })).then((all) => {
        const responses = all.filter((x): x is RpcResponse => x !== null);
        if (responses.length) this.write(responses);
      });
      this.track(work);
      return;
    }
    const r = toRequest(parsed);
    if (!('method' in r)) {
      this.write(r);
      return;
    }
    this.track(this.handle(r).then((resp) => {
      if (resp) this.write(resp);
    }));
  }

  private track(p: Promise<unknown>) {
    const guarded = p.catch((e: unknown) => {
      this.write(failure(null, { code: 'INTERNAL', message: `internal error: ${(e as Error)?.message ?? String(e)} (please report this)` }));
    });
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }

  async drain(): Promise<void> {
    while (this.pending.size) await Promise.all([...this.pending]);
  }
}

export async function serve(svc: Service, opts: ServeOptions): Promise<void> {
  const server = new RpcServer(svc, opts.output);
  await autostartPools(svc, { requestId: null, signal: new AbortController().signal, progress: () => undefined });
  await new Promise<void>((resolve) => {
    readLines(opts.input, {
      line: (l) => server.handleLine(l),
      overflow: (n) => opts.output.write(`${JSON.stringify(invalidRequest(null, `request line of ${n} bytes is over the limit`))}\n`),
      end: () => resolve()
    });
  });
  await server.drain();
  svc.rt.sandbox.close();
}
