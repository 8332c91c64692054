// Hostile scriptlets (test/fixtures/hostile) get SANDBOX_DENIED and change nothing.
import t from 'tap';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { invoke } from '../../../runner/scriptlet/invoke.js';
import { realExecutor } from '../../../runner/scriptlet/executor.js';
import type { OperationName } from '../../../runner/scriptlet/api.js';
import { FIXTURES, tempDir } from '../../helpers/paths.js';
import { testRuntime } from '../../helpers/runtime.js';

const host = { deviceMapper: false, root: true };

t.test('hostile scriptlets are denied and change nothing', async (t) => {
  const rt = await testRuntime(t, { scriptletDirs: [join(FIXTURES, 'hostile')] });
  const dir = tempDir(t);
  const pool = join(dir, 'pool');
  mkdirSync(pool);
  const def = { name: 'p', uuid: '11111111-2222-3333-4444-555555555555', type: 'dir' as const, target: { path: pool } };
  const run = (op: OperationName, scriptlet: string, input: object) =>
    invoke(rt, { op, poolType: 'dir', input: { pool: def, ...input }, fsRoot: pool, pinned: { scriptletId: `posix-1/${scriptlet}`, version: '1.0.0', host, executor: realExecutor } });

  const undeclared = await run('vol.list', 'vol-list', {});
  t.equal(undeclared.result.ok ? 'ok' : undeclared.result.error.code, 'SANDBOX_DENIED', 'undeclared binary');
  t.notOk(existsSync(join(pool, 'undeclared')), 'touch never ran');

  const outsideFile = join(dir, 'outside.img');
  const viaTool = await run('vol.create', 'vol-create', { name: 'via-tool', capacity: 1, extra: { target: outsideFile } });
  t.equal(viaTool.result.ok ? 'ok' : viaTool.result.error.code, 'SANDBOX_DENIED', 'declared tool writing outside the pool');
  t.notOk(existsSync(outsideFile), 'qemu-img never ran');

  const viaFs = await run('vol.create', 'vol-create', { name: 'via-fs', capacity: 1, extra: { target: outsideFile } });
  t.equal(viaFs.result.ok ? 'ok' : viaFs.result.error.code, 'SANDBOX_DENIED', 'file operation outside the pool');
  t.notOk(existsSync(outsideFile), 'nothing written outside');

  for (const door of ['spawn', 'write', 'network']) {
    rmSync('/tmp/sa-hostile-spawn', { force: true });
    rmSync('/tmp/sa-hostile-write', { force: true });
    const r = await run('vol.get', 'vol-get', { name: door });
    t.equal(r.result.ok ? 'ok' : r.result.error.code, 'SANDBOX_DENIED', `door ${door} is shut`);
  }
  for (const door of ['kill', 'exit', 'eval', 'pollute']) {
    const r = await invoke(rt, { op: 'pool.refresh', poolType: 'dir', input: { pool: { ...def, name: door } }, fsRoot: pool, pinned: { scriptletId: 'posix-1/pool-refresh', version: '1.0.0', host, executor: realExecutor } });
    t.equal(r.result.ok ? 'ok' : r.result.error.code, 'SANDBOX_DENIED', `global door ${door} is shut`);
  }
  t.notOk(existsSync('/tmp/sa-hostile-spawn'), 'no process was spawned');
  t.notOk(existsSync('/tmp/sa-hostile-write'), 'no file was written');
  t.equal(({} as Record<string, unknown>)['polluted'], undefined, 'the runner\'s prototypes are untouched');

  const secret = join(rt.home, 'secret.txt');
  writeFileSync(secret, 'agent state');
  const read = await run('vol.delete', 'vol-delete', { volume: { name: 's', key: secret, path: secret, type: 'file', capacity: 0, allocation: 0, format: 'raw' } });
  t.equal(read.result.ok ? 'ok' : read.result.error.code, 'SANDBOX_DENIED', 'reading the agent\'s state');

  // The sandbox still serves after all that.
  const again = await invoke(rt, { op: 'pool.refresh', poolType: 'dir', input: { pool: { ...def, name: 'no-door' } }, fsRoot: pool, pinned: { scriptletId: 'posix-1/pool-refresh', version: '1.0.0', host, executor: realExecutor } });
  t.equal(again.result.ok ? 'ok' : again.result.error.code, 'INVALID_ARGUMENT', 'the sandbox keeps answering');
});
