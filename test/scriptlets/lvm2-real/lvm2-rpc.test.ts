// A logical pool through the agent itself: `storage-agent serve` speaking JSON-RPC on stdio,
// real lvm2 on two loop devices (private lvm.conf through STORAGE_AGENT_TOOL_PATH wrappers,
// lvm-env.ts). With LVM_RPC_TRANSCRIPT=FILE the session is also written out, request and
// response per line.
import t from 'tap';
import { spawn } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { DIST } from '../../helpers/paths.js';
import { lvmUnavailable, makeLvmEnv } from './lvm-env.js';

const MiB = 1024 * 1024;
const MAIN = join(DIST, 'runner', 'cli', 'main.js');

interface RpcResponse {
  id: number;
  result?: any;
  error?: { code: number; message: string; data: { code: string; message: string; argv?: string[]; stderr?: string; scriptlet?: string } };
}

function agent(env: NodeJS.ProcessEnv) {
  // The compiled entry point itself (bin/storage-agent only imports it): an extensionless
  // launcher trips the test runner's require hooks, which follow spawned node processes.
  const child = spawn(process.execPath, [MAIN, 'serve'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const pending = new Map<number, (r: RpcResponse) => void>();
  const notes: unknown[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += String(d)));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const msg = JSON.parse(line) as RpcResponse & { method?: string; params?: unknown };
    if (msg.method) notes.push(msg);
    else pending.get(msg.id)?.(msg);
  });
  let exited: string | null = null;
  child.on('exit', (code, signal) => {
    exited = `agent exited (${code ?? signal}) with stderr: ${stderr.slice(-2000)}`;
    for (const [id, resolve] of pending) resolve({ id, error: { code: -1, message: exited, data: { code: 'AGENT_EXITED', message: exited } } });
    pending.clear();
  });
  let next = 1;
  const transcript = process.env['LVM_RPC_TRANSCRIPT'];
  if (transcript) writeFileSync(transcript, '');
  const call = (method: string, params: object): Promise<RpcResponse> =>
    new Promise((resolve) => {
      const id = next++;
      const req = JSON.stringify({ jsonrpc: '2.0', id, method, params });
      if (exited) return resolve({ id, error: { code: -1, message: exited, data: { code: 'AGENT_EXITED', message: exited } } });
      pending.set(id, (r) => {
        pending.delete(id);
        if (transcript) appendFileSync(transcript, `--> ${req}\n<-- ${JSON.stringify(r)}\n`);
        resolve(r);
      });
      child.stdin.write(`${req}\n`);
    });
  const close = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
      child.on('close', (code) => resolve(code));
      child.stdin.end();
    });
  return { call, close, notes, stderr: () => stderr };
}

const why = lvmUnavailable();
t.test('JSON-RPC session: a logical pool on two loop devices', { skip: why ?? false }, async (t) => {
  const env = await makeLvmEnv({ sizesMiB: [64, 64] });
  t.teardown(() => env.teardown());
  const a = agent({ PATH: process.env['PATH'] ?? '', STORAGE_AGENT_HOME: join(env.dir, 'home'), STORAGE_AGENT_TOOL_PATH: env.toolPath });
  t.teardown(() => a.close());
  const ok = async (method: string, params: object, what: string) => {
    const r = await a.call(method, params);
    t.notOk(r.error, `${what}${r.error ? `: ${r.error.data.code} ${r.error.data.message}` : ''}`);
    return r.result;
  };
  const fails = async (method: string, params: object, code: string, what: string) => {
    const r = await a.call(method, params);
    t.equal(r.error?.data.code, code, what);
    return r.error;
  };
  const vg = env.vg;
  const devs = env.devices;

  // pool-define (XML) and pool-define-as (fields): the same pool both ways.
  const xml = `<pool type='logical'><name>lv</name><source>${devs.map((d) => `<device path='${d}'/>`).join('')}<name>${vg}</name><format type='lvm2'/></source><target><path>/dev/${vg}</path></target></pool>`;
  const defined = await ok('pool.define', { xml }, 'define from XML');
  t.match(defined, { name: 'lv', type: 'logical', state: 'inactive', source: { name: vg, format: 'lvm2' } });
  const dumped = await ok('pool.dumpXml', { pool: 'lv' }, 'dumpXml');
  t.match(dumped?.xml, new RegExp(`<name>${vg}</name>`));
  await ok('pool.undefine', { pool: 'lv' }, 'undefine');
  await ok('pool.define', { name: 'lv', type: 'logical', source: { name: vg, devices: devs.map((path) => ({ path })) } }, 'define-as (fields)');
  await fails('vol.list', { pool: 'lv' }, 'POOL_INACTIVE', 'volumes need a running pool');

  const plan = await ok('pool.build', { pool: 'lv', dryRun: true }, 'build, dry run');
  t.match(plan?.plan, [{ argv: ['pvcreate', '--config', 'global{activation=0}', ...devs] }, { argv: ['vgcreate', '--config', 'global{activation=0}', vg, ...devs] }], 'the plan is the exact commands');
  await ok('pool.build', { pool: 'lv' }, 'build');
  await fails('pool.build', { pool: 'lv' }, 'ALREADY_BUILT', 'build again');
  const started = await ok('pool.start', { pool: 'lv' }, 'start');
  t.match(started, { state: 'running', capacity: 120 * MiB, available: 120 * MiB });
  await fails('pool.build', { pool: 'lv' }, 'POOL_ACTIVE', 'no build on a running pool');

  for (const [name, size] of [['alpha', 8 * MiB], ['beta', 16 * MiB], ['gamma', 24 * MiB]] as const) {
    const v = await ok('vol.create', { pool: 'lv', name, capacity: size }, `create ${name}`);
    t.match(v, { name, pool: 'lv', type: 'block', capacity: size, path: `/dev/${vg}/${name}`, format: 'lvm2' });
  }
  const listed = await ok('vol.list', { pool: 'lv' }, 'list');
  t.same(listed?.volumes.map((v: { name: string; capacity: number }) => [v.name, v.capacity]), [['alpha', 8 * MiB], ['beta', 16 * MiB], ['gamma', 24 * MiB]]);
  const key = listed?.volumes[0]?.key as string;
  t.match(await ok('vol.get', { key }, 'lookup by key (LV UUID)'), { name: 'alpha' });
  t.match(await ok('vol.get', { path: `/dev/${vg}/beta` }, 'lookup by path'), { name: 'beta' });

  t.match(await ok('vol.resize', { volume: { pool: 'lv', vol: 'alpha' }, capacity: 32 * MiB }, 'resize up'), { capacity: 32 * MiB });
  await fails('vol.resize', { volume: { pool: 'lv', vol: 'gamma' }, capacity: 8 * MiB }, 'INVALID_ARGUMENT', 'resize down without shrink');
  t.match(await ok('vol.resize', { volume: { pool: 'lv', vol: 'gamma' }, capacity: 8 * MiB, shrink: true }, 'resize down with shrink'), { capacity: 8 * MiB });

  const before = await ok('pool.refresh', { pool: 'lv' }, 'refresh');
  const noSpace = await fails('vol.create', { pool: 'lv', name: 'huge', capacity: 1024 * MiB }, 'NO_SPACE', 'a volume that does not fit');
  t.match(noSpace?.data, { argv: ['lvcreate', '--config', 'global{activation=0}', '-Z', 'n', '-n', 'huge', '-L', '1g', vg], scriptlet: 'lvm2-2.03/vol-create', stderr: /insufficient free space/ }, 'with the command and its stderr');
  await fails('vol.get', { pool: 'lv', vol: 'huge' }, 'NO_VOLUME', '... and leaves nothing');
  const after = await ok('pool.refresh', { pool: 'lv' }, 'refresh');
  t.equal(after?.available, before?.available, 'free space unchanged');

  await fails('vol.snapshot', { pool: 'lv', name: 'snap', from: { pool: 'lv', vol: 'beta' } }, 'UNSUPPORTED', 'snapshot needs device-mapper here');
  await ok('vol.delete', { volume: { pool: 'lv', vol: 'beta' } }, 'delete beta');
  t.same((await ok('vol.list', { pool: 'lv' }, 'list'))?.volumes.map((v: { name: string }) => v.name), ['alpha', 'gamma']);

  const sources = await ok('pool.findSources', { type: 'logical' }, 'findSources');
  t.same(sources?.sources, [{ name: vg, format: 'lvm2', devices: devs.map((path) => ({ path })) }]);
  t.match(sources?.xml, /<sources>/);

  await ok('pool.stop', { pool: 'lv' }, 'stop');
  await fails('pool.delete', { pool: 'lv' }, 'POOL_BUSY', 'delete refuses a VG with volumes');
  await ok('pool.start', { pool: 'lv' }, 'start again');
  for (const v of ['alpha', 'gamma']) await ok('vol.delete', { volume: { pool: 'lv', vol: v } }, `delete ${v}`);
  await ok('pool.stop', { pool: 'lv' }, 'stop');
  await ok('pool.delete', { pool: 'lv' }, 'delete the pool (vgremove, pvremove)');
  await ok('pool.undefine', { pool: 'lv' }, 'undefine');
  t.same((await ok('pool.findSources', { type: 'logical' }, 'findSources after delete'))?.sources, []);
  t.equal(await a.close(), 0, 'EOF: the agent exits 0');
});
