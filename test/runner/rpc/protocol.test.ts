// JSON-RPC framing over a real serve process: junk gets the right error, notifications get no
// answer, batches answer together, nothing but JSON reaches stdout, EOF exits 0.
import t from 'tap';
import { join } from 'node:path';
import { AgentProcess } from '../../helpers/rpc-client.js';
import { tempDir } from '../../helpers/paths.js';

t.test('framing and errors', async (t) => {
  const dir = tempDir(t);
  const agent = new AgentProcess(join(dir, 'home'));
  t.teardown(() => agent.child.kill());

  const parse = await agent.expect(null, '{"jsonrpc":"2.0","id":1,"method":');
  t.equal(parse.error?.code, -32700, 'parse error');
  t.equal(parse.error?.data.code, 'INVALID_ARGUMENT');

  const notObject = await agent.expect(null, '42');
  t.equal(notObject.error?.code, -32600, 'a number is not a request');

  const noVersion = await agent.expect(5, '{"id":5,"method":"agent.version"}');
  t.equal(noVersion.error?.code, -32600, 'jsonrpc member missing');

  const unknown = await agent.expect(6, '{"jsonrpc":"2.0","id":6,"method":"pool.explode","params":{}}');
  t.equal(unknown.error?.code, -32601, 'unknown method');
  t.equal(unknown.error?.data.code, 'UNSUPPORTED');

  const positional = await agent.expect(7, '{"jsonrpc":"2.0","id":7,"method":"pool.list","params":[1,2]}');
  t.equal(positional.error?.data.code, 'INVALID_ARGUMENT', 'positional params refused');

  const wrongType = await agent.expect(8, '{"jsonrpc":"2.0","id":8,"method":"vol.create","params":{"pool":"default","name":"x","capacity":"10G"}}');
  t.equal(wrongType.error?.data.code, 'INVALID_ARGUMENT', 'capacity must be bytes');
  t.equal(wrongType.error?.data.field, 'capacity', 'the field is named');

  const extra = await agent.expect(9, '{"jsonrpc":"2.0","id":9,"method":"pool.list","params":{"bogus":true}}');
  t.equal(extra.error?.data.field, 'bogus', 'unknown fields are named');

  // A notification gets no answer; the next request does.
  agent.send('{"jsonrpc":"2.0","method":"agent.version"}');
  const after = await agent.call('agent.version');
  t.ok(after.result, 'the server answers after a notification');

  const batch = await agent.batch([
    { jsonrpc: '2.0', id: 'a', method: 'agent.version' },
    { jsonrpc: '2.0', id: 'b', method: 'nope' },
    { jsonrpc: '2.0', method: 'agent.version' }
  ]);
  t.equal(batch.length, 2, 'a batch answers every request but notifications');
  t.ok(batch.find((r) => r.id === 'a')?.result, 'batch member a');
  t.equal(batch.find((r) => r.id === 'b')?.error?.code, -32601, 'batch member b');

  const empty = await agent.expect(null, '[]');
  t.equal(empty.error?.code, -32600, 'empty batch');

  const huge = await agent.expect(null, `{"jsonrpc":"2.0","id":10,"method":"agent.version","params":{"x":"${'a'.repeat(9 * 1024 * 1024)}"}}`);
  t.equal(huge.error?.code, -32600, 'a line over the limit is refused whole');
  t.ok((await agent.call('agent.version')).result, 'and the server keeps answering');

  const cancelNothing = await agent.ok<{ cancelled: boolean }>('agent.cancel', { requestId: 'never' });
  t.equal(cancelNothing.cancelled, false, 'cancelling an unknown request');

  t.equal(await agent.close(), 0, 'EOF: exit 0');
  t.ok(agent.stdoutLines.every((l) => { try { JSON.parse(l); return true; } catch { return false; } }), 'nothing but JSON on stdout');
});

t.test('agent.cancel stops a long copy and removes its partial output', async (t) => {
  const dir = tempDir(t);
  const agent = new AgentProcess(join(dir, 'home'));
  t.teardown(() => agent.child.kill());
  // A source full of random data keeps qemu-img convert busy long enough to be cancelled.
  const size = 768 * 1024 * 1024;
  await agent.ok('vol.create', { pool: 'default', name: 'big.raw', capacity: size });
  const wiping = agent.expect('wipe', JSON.stringify({ jsonrpc: '2.0', id: 'wipe', method: 'vol.wipe', params: { volume: { pool: 'default', vol: 'big.raw' }, algorithm: 'random' } }));
  await new Promise((r) => setTimeout(r, 150));
  t.equal((await agent.ok<{ cancelled: boolean }>('agent.cancel', { requestId: 'wipe' })).cancelled, true, 'the wipe was in flight');
  t.equal((await wiping).error?.data.code, 'CANCELLED', 'a cancelled wipe answers CANCELLED');
  await agent.ok('vol.wipe', { volume: { pool: 'default', vol: 'big.raw' }, algorithm: 'random' });
  const pending = agent.expect('copy', JSON.stringify({ jsonrpc: '2.0', id: 'copy', method: 'vol.copy', params: { pool: 'default', name: 'copy.raw', from: { pool: 'default', vol: 'big.raw' }, format: 'qcow2' } }));
  await new Promise((r) => setTimeout(r, 100));
  const c = await agent.ok<{ cancelled: boolean }>('agent.cancel', { requestId: 'copy' });
  t.equal(c.cancelled, true, 'the copy was in flight');
  const r = await pending;
  t.equal(r.error?.data.code, 'CANCELLED', 'it answers CANCELLED');
  const vols = await agent.ok<{ volumes: { name: string }[] }>('vol.list', { pool: 'default' });
  t.same(vols.volumes.map((v) => v.name), ['big.raw'], 'partial output removed');
  await agent.close();
});
