// A runtime (and service) on a temporary home, closed when the test ends.
import { join } from 'node:path';
import { createRuntime, type Runtime, type RuntimeOptions } from '../../runner/runtime.js';
import { createService, type Service } from '../../runner/service/context.js';
import { tempDir } from './paths.js';

type Teardown = { teardown(fn: () => void | Promise<void>): void };

export async function testRuntime(t: Teardown, opts: RuntimeOptions = {}): Promise<Runtime> {
  const home = opts.home ?? join(tempDir(t), 'home');
  const rt = await createRuntime({ recordDir: null, ...opts, home });
  t.teardown(() => rt.sandbox.close());
  return rt;
}

export async function testService(t: Teardown, opts: RuntimeOptions = {}): Promise<Service> {
  return createService(await testRuntime(t, opts));
}
