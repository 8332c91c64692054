// Where the CLI's calls go: this host's service in-process, or with `--connect ssh://...` the
// agent on another host, through the typed client (one ssh session for the whole command).
import { createRuntime } from '../runtime.js';
import { createService, detachedCall } from '../service/context.js';
import { dispatch } from '../service/dispatch.js';
import { connect, parseSshUrl } from '../client/index.js';
import type { Result } from '../errors.js';

export interface Caller {
  call(method: string, params: unknown): Promise<Result<unknown>>;
  close(): Promise<void>;
}

export interface Where {
  home?: string;
  connect?: string;
  sshConfig?: string;
}

export async function openCaller(where: Where): Promise<Result<Caller>> {
  if (where.connect === undefined) {
    const svc = createService(await createRuntime(where.home === undefined ? {} : { home: where.home }));
    return {
      ok: true,
      value: {
        call: (method, params) => dispatch(svc, detachedCall(), method, params),
        close: async () => svc.rt.sandbox.close()
      }
    };
  }
  const target = parseSshUrl(where.connect);
  if (typeof target === 'string') return { ok: false, error: { code: 'INVALID_ARGUMENT', message: `--connect: ${target}`, field: 'connect' } };
  const c = await connect({
    ssh: { ...target, ...(where.sshConfig !== undefined ? { configFile: where.sshConfig } : {}) },
    ...(where.home !== undefined ? { home: where.home } : {})
  });
  if (!c.ok) return c;
  const client = c.value;
  // Method names come from the user here (`call METHOD`): the untyped door of the client.
  return { ok: true, value: { call: (method, params) => client.call(method as 'agent.version', params as never), close: () => client.close() } };
}
