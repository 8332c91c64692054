// The virsh-like CLI as a person uses it: tables, --json, --help, exit codes, one-line errors.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, tempDir } from '../../helpers/paths.js';

function cli(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('the newcomer\'s first commands work on the default pool', async (t) => {
  const home = join(tempDir(t), 'home');
  const list = cli(home, 'pool-list');
  t.equal(list.code, 0);
  t.match(list.out, /default\s+active\s+yes/, 'default pool, running, autostart');
  const made = cli(home, 'vol-create-as', 'default', 'hello.img', '10M');
  t.equal(made.code, 0, made.err);
  t.match(made.out, /Vol hello.img created/);
  const vols = cli(home, '--json', 'vol-list', 'default');
  const parsed = JSON.parse(vols.out) as { volumes: { name: string; capacity: number; path: string }[] };
  t.same(parsed.volumes.map((v) => [v.name, v.capacity]), [['hello.img', 10 * 1024 * 1024]], '--json gives the volume with its size in bytes');
  t.equal(parsed.volumes[0]?.path, join(home, 'images', 'hello.img'), 'default pool target is images/ in the home');
  const details = cli(home, 'vol-list', 'default', '--details');
  t.match(details.out, /hello\.img\s+\S+hello\.img\s+file\s+10\.00 MiB/, 'details table');
  const info = cli(home, 'vol-info', join(home, 'images', 'hello.img'));
  t.match(info.out, /Capacity:\s+10\.00 MiB/, 'vol-info by path');
  const key = cli(home, 'vol-key', 'hello.img', '--pool', 'default');
  t.equal(key.out.trim(), join(home, 'images', 'hello.img'));
  const clone = cli(home, 'vol-clone', 'hello.img', 'copy.img', '--pool', 'default');
  t.equal(clone.code, 0, clone.err);
  const resize = cli(home, 'vol-resize', 'copy.img', '5M', '--pool', 'default');
  t.equal(resize.code, 1, 'shrinking without --shrink fails');
  t.match(resize.err, /^error: INVALID_ARGUMENT: .*shrink/m, 'one line naming the code');
  t.equal(cli(home, 'vol-resize', 'copy.img', '5M', '--pool', 'default', '--shrink').code, 0);
  t.equal(cli(home, 'vol-delete', 'copy.img', '--pool', 'default').code, 0);
  const xml = cli(home, 'pool-dumpxml', 'default');
  t.match(xml.out, /<pool type='dir'>/);
});

t.test('usage errors and help', async (t) => {
  const home = join(tempDir(t), 'home');
  const help = cli(home, 'vol-create-as', '--help');
  t.equal(help.code, 0);
  t.match(help.out, /usage: storage-agent vol-create-as POOL NAME SIZE/);
  const bad = cli(home, 'vol-create-as', 'default', 'x');
  t.equal(bad.code, 2, 'wrong number of arguments');
  t.match(bad.err, /error: INVALID_ARGUMENT/);
  const size = cli(home, 'vol-create-as', 'default', 'x', '1.5G');
  t.equal(size.code, 2, 'a fractional size');
  const unknown = cli(home, 'pool-explode');
  t.equal(unknown.code, 2);
  const missing = cli(home, 'pool-info', 'nope');
  t.equal(missing.code, 1);
  t.match(missing.err, /^error: NO_POOL: /m);
  const all = cli(home, '--help');
  t.equal(all.code, 0);
  t.match(all.out, /serve/);
});

t.test('call prints the JSON-RPC response', async (t) => {
  const home = join(tempDir(t), 'home');
  const ok = cli(home, 'call', 'pool.get', '{"name":"default"}');
  t.equal(ok.code, 0);
  const r = JSON.parse(ok.out) as { jsonrpc: string; result: { name: string } };
  t.same([r.jsonrpc, r.result.name], ['2.0', 'default']);
  const bad = cli(home, 'call', 'vol.get', '{"pool":"default","vol":"nope"}');
  t.equal(bad.code, 1);
  t.equal((JSON.parse(bad.out) as { error: { data: { code: string } } }).error.data.code, 'NO_VOLUME');
});
