// Partial files (volumes being made): the names are reserved, never listed or looked up as
// volumes, and one whose operation is gone is removed by vol.list / pool.refresh - but never one
// whose operation still runs (its volume lock is held, here or in another process).
import t from 'tap';
import { mkdirSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { testService } from '../helpers/runtime.js';
import { dispatch } from '../../runner/service/dispatch.js';
import { detachedCall } from '../../runner/service/context.js';
import { Locks } from '../../runner/state/locks.js';

t.test('partial files in a dir pool', async (t) => {
  const dir = tempDir(t);
  const pool = join(dir, 'pool');
  const svc = await testService(t, { home: join(dir, 'home') });
  const call = (m: string, p: object) => dispatch(svc, detachedCall(), m, p);
  const code = async (m: string, p: object) => {
    const r = await call(m, p);
    return r.ok ? 'ok' : r.error.code;
  };
  t.equal(await code('pool.define', { name: 'p', type: 'dir', target: { path: pool } }), 'ok');
  await call('pool.build', { pool: 'p' });
  await call('pool.start', { pool: 'p' });
  const uuid = ((await call('pool.get', { name: 'p' })) as { ok: true; value: { uuid: string } }).value.uuid;

  t.equal(await code('vol.create', { pool: 'p', name: '.sa-partial-x', capacity: 4096 }), 'INVALID_ARGUMENT', 'a reserved name cannot be created (raw)');
  t.equal(await code('vol.create', { pool: 'p', name: '.sa-partial-x', capacity: 4096, format: 'qcow2' }), 'INVALID_ARGUMENT', 'nor as qcow2');

  // Left by a killed agent: no lock held for them.
  writeFileSync(join(pool, '.sa-partial-dead.img'), 'half');
  writeFileSync(join(pool, '.sa-partial-~0123456789abcdef'), 'half of a long-named one');
  mkdirSync(join(pool, '.sa-partial-adir'));
  // Being made right now by another agent process: its volume lock is held (across processes).
  const other = new Locks(join(dir, 'home', 'locks'));
  writeFileSync(join(pool, '.sa-partial-busy.img'), 'in progress');
  const held = await other.acquire('copy to busy.img', [`vol:${uuid}/busy.img`], [`pool:${uuid}`]);
  t.ok(held.ok, 'the other holder has the volume lock');
  // (A second Locks instance: the service's own in-process table does not know this holder, so
  // only the lock file can keep the sweep off.)

  t.equal(await code('vol.get', { pool: 'p', vol: '.sa-partial-busy.img' }), 'NO_VOLUME', 'a partial is not a volume');
  const l = await call('vol.list', { pool: 'p' });
  t.ok(l.ok, 'vol.list');
  t.same(l.ok ? (l.value as { volumes: unknown[] }).volumes : null, [], 'partials are never listed');
  t.notOk(existsSync(join(pool, '.sa-partial-dead.img')), 'a dead operation\'s partial is removed');
  t.notOk(existsSync(join(pool, '.sa-partial-~0123456789abcdef')), 'so is a long name\'s');
  t.ok(existsSync(join(pool, '.sa-partial-busy.img')), 'a partial whose volume lock is held stays');
  t.ok(existsSync(join(pool, '.sa-partial-adir')), 'a directory is not the agent\'s partial: left alone');
  if (held.ok) await held.value();
  t.equal(await code('pool.refresh', { pool: 'p' }), 'ok');
  t.notOk(existsSync(join(pool, '.sa-partial-busy.img')), 'once the lock is free, pool.refresh removes it');
  t.same(readdirSync(pool), ['.sa-partial-adir'], 'nothing else was touched');
});
