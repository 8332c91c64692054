// The agent in the guest: one `storage-agent serve` for a whole session (node under TCG takes
// seconds to start), driven over JSON-RPC. Every reply is kept as the step saw it.
import { RpcSession } from '../../helpers/rpc-session.js';

export interface Reply {
  result?: Record<string, unknown>;
  error?: { code: string; message: string; [k: string]: unknown };
  /** progress notifications that arrived for this request */
  progress: number;
}

export class GuestAgent {
  private readonly cleanups: (() => void | Promise<void>)[] = [];
  readonly session: RpcSession;

  constructor(home: string, env: Record<string, string> = {}) {
    this.session = RpcSession.start({ teardown: (fn) => this.cleanups.push(fn) }, home, env);
  }

  async call(method: string, params?: object): Promise<Reply> {
    const before = this.session.notifications.length;
    const r = await this.session.call(method, params);
    const id = r.id;
    const progress = this.session.notifications
      .slice(before)
      .filter((n) => n.method === 'progress' && (n.params as { requestId?: unknown } | undefined)?.requestId === id).length;
    if (r.error) return { error: r.error.data as Reply['error'] & object, progress };
    return { result: r.result as Record<string, unknown>, progress };
  }

  /** The result; a thrown error (a broken step) when the call failed. */
  async ok(method: string, params?: object): Promise<Record<string, unknown>> {
    const r = await this.call(method, params);
    if (r.error) throw new Error(`${method} ${JSON.stringify(params)}: ${r.error.code}: ${r.error.message}`);
    return r.result ?? {};
  }

  async close(): Promise<void> {
    for (const fn of this.cleanups) await fn();
  }
}
