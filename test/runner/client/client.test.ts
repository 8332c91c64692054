// The typed client against a real local `storage-agent serve`, imported the way callers import
// it (the package's own `storage-agent/client` export).
import t from 'tap';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type Client, type Progress } from 'storage-agent/client';
import { tempDir } from '../../helpers/paths.js';

const MiB = 1024 * 1024;

async function open(t: { teardown(fn: () => unknown): void }, home: string): Promise<Client> {
  const c = await connect({ home });
  if (!c.ok) throw new Error(`connect: ${c.error.code}: ${c.error.message}`);
  t.teardown(() => c.value.close());
  return c.value;
}

t.test('typed methods, typed errors, many requests in flight, a clean close', async (t) => {
  const home = join(tempDir(t), 'home');
  const client = await open(t, home);
  t.equal(client.remote, null, 'a local agent');
  t.match(client.version, { agent: /^\d+\.\d+\.\d+/, interface: /\d/ }, 'agent.version asked on connect');

  const names = Array.from({ length: 8 }, (_, i) => `v${i}.img`);
  const made = await Promise.all(names.map((name, i) => client.vol.create({ pool: 'default', name, capacity: (i + 1) * MiB })));
  t.ok(made.every((r) => r.ok), 'eight creates in flight at once all succeed');
  const listed = await client.vol.list({ pool: 'default' });
  if (!listed.ok) throw new Error(listed.error.message);
  t.same(listed.value.volumes.map((v) => [v.name, v.capacity]).sort(), names.map((n, i) => [n, (i + 1) * MiB]), 'each with its own size');

  const missing = await client.pool.get({ name: 'nope' });
  t.equal(missing.ok, false, 'an error is a value');
  if (!missing.ok) t.equal(missing.error.code, 'NO_POOL', 'with the spec code');
  const exists = await client.call('vol.create', { pool: 'default', name: 'v0.img', capacity: MiB });
  t.equal(!exists.ok && exists.error.code, 'VOLUME_EXISTS');
  const bad = await client.vol.create({ pool: 'default', name: 'x.img', capacity: -1 });
  t.equal(!bad.ok && bad.error.code, 'INVALID_ARGUMENT', 'bad params come back as INVALID_ARGUMENT');

  const plan = await client.vol.delete({ volume: { pool: 'default', vol: 'v1.img' }, dryRun: true });
  t.ok(plan.ok && 'plan' in plan.value && plan.value.plan.length > 0, 'a dry run answers its plan');
  t.ok(existsSync(join(home, 'images', 'v1.img')), 'and changes nothing');

  // close() lets what is in flight finish: these requests are answered, not dropped.
  const last = client.vol.delete({ volume: { pool: 'default', vol: 'v2.img' } });
  await client.close();
  t.equal((await last).ok, true, 'a request sent before close is answered');
  t.notOk(existsSync(join(home, 'images', 'v2.img')));
  const after = await client.agent.version();
  t.equal(!after.ok && after.error.code, 'CONNECT_FAILED', 'after close: CONNECT_FAILED, no hang');
});

t.test('progress as events and as an async iterator; cancel with an AbortSignal', async (t) => {
  const home = join(tempDir(t), 'home');
  const client = await open(t, home);
  const events: Progress[] = [];
  client.on('progress', (p) => events.push(p));
  t.ok((await client.vol.create({ pool: 'default', name: 'w.raw', capacity: 128 * MiB })).ok);
  const wipe = client.start('vol.wipe', { volume: { pool: 'default', vol: 'w.raw' }, algorithm: 'random' });
  const seen: Progress[] = [];
  for await (const p of wipe.progress) seen.push(p);
  t.equal((await wipe.result).ok, true, 'the wipe finished');
  t.ok(seen.length >= 1, `progress through the iterator (${seen.length})`);
  t.equal(seen.at(-1)?.done, 128 * MiB, 'up to the whole volume');
  t.ok(seen.every((p) => p.requestId === wipe.id && p.method === 'vol.wipe' && p.total === 128 * MiB), 'each naming its request');
  t.same(events, seen, 'the same progress as events');

  t.ok((await client.vol.create({ pool: 'default', name: 'big.raw', capacity: 512 * MiB })).ok);
  const ac = new AbortController();
  const wiping = client.start('vol.wipe', { volume: { pool: 'default', vol: 'big.raw' }, algorithm: 'random' }, { signal: ac.signal });
  for await (const _ of wiping.progress) {
    ac.abort(); // at the first progress event the wipe is under way
  }
  const r = await wiping.result;
  t.equal(!r.ok && r.error.code, 'CANCELLED', 'an aborted wipe answers CANCELLED');
  t.notOk(readdirSync(join(home, 'images')).some((n) => n.startsWith('.sa-partial')), 'no partial output left');

  const pre = await client.vol.list({ pool: 'default' }, { signal: AbortSignal.abort() });
  t.equal(!pre.ok && pre.error.code, 'CANCELLED', 'aborted before sending: CANCELLED, nothing sent');
  t.ok((await client.agent.version()).ok, 'the connection is still good');

  // A close that must not wait: the long wipe in flight is cut off, and its request says so.
  const long = client.vol.wipe({ volume: { pool: 'default', vol: 'big.raw' }, algorithm: 'random' });
  await client.close({ signal: AbortSignal.abort() });
  const cut = await long;
  t.equal(!cut.ok && cut.error.code, 'CONNECT_FAILED', 'close with an aborted signal kills the agent: CONNECT_FAILED');
});

t.test('an agent that cannot start is a clear error, not a hang', async (t) => {
  const home = join(tempDir(t), 'home');
  const missing = await connect({ home, agent: [join(home, 'no-such-agent')] });
  t.equal(!missing.ok && missing.error.code, 'TOOL_MISSING', 'no agent binary: TOOL_MISSING');
  const dies = await connect({ home, agent: [process.execPath, '-e', 'process.exit(3)', '--'] });
  t.equal(!dies.ok && dies.error.code, 'CONNECT_FAILED', 'an agent that exits at once: CONNECT_FAILED');
  t.match(!dies.ok && dies.error.message, /exited \(code 3\)/);
  const bad = await connect({ ssh: 'http://example.invalid/' });
  t.equal(!bad.ok && bad.error.code, 'INVALID_ARGUMENT', 'not an ssh URL');
});

// The types are the contracts': these lines must not compile (the build fails if one does).
// Never called; it only has to type-check.
export async function typesFollowTheContracts(client: Client): Promise<void> {
  // @ts-expect-error a volume needs a name and a capacity
  await client.vol.create({ pool: 'default' });
  // @ts-expect-error capacity is bytes, a number
  await client.vol.create({ pool: 'default', name: 'x', capacity: '1G' });
  // @ts-expect-error no such method
  await client.pool.explode({ pool: 'default' });
  // @ts-expect-error no such method name
  await client.call('pool.explode', {});
  const r = await client.pool.get({ name: 'default' });
  // @ts-expect-error a result must be checked before use
  void r.value.name;
  if (r.ok) {
    const state: 'inactive' | 'building' | 'running' = r.value.state;
    void state;
  } else {
    // @ts-expect-error error codes are the spec's
    void (r.error.code === 'NOT_A_CODE');
  }
}
