// virsh's transient pools (pool-create FILE, pool-create-as: gone once stopped, as in libvirt) and
// pool-capabilities (issue 12).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, tempDir } from '../../helpers/paths.js';

t.setTimeout(900_000);

function cli(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('transient pools and pool-capabilities', async (t) => {
  const dir = tempDir(t);
  const home = join(dir, 'home');
  const made = cli(home, 'pool-create-as', 'tp', 'dir', '-', '-', '-', '-', join(dir, 't'), '--build');
  t.equal(made.code, 0, made.err);
  const listed = JSON.parse(cli(home, '--json', 'pool-list', '--all').out) as { pools: { name: string; state: string; persistent: boolean }[] };
  t.same(listed.pools.find((p) => p.name === 'tp'), { ...listed.pools.find((p) => p.name === 'tp'), state: 'running', persistent: false }, 'running, not persistent');
  t.equal(cli(home, 'pool-autostart', 'tp').code, 1, 'a transient pool cannot autostart');
  t.equal(cli(home, 'pool-create-as', 'tp', 'dir', '--target', join(dir, 'u')).code, 1, 'the name is taken while it runs');
  t.equal(cli(home, 'pool-destroy', 'tp').code, 0);
  t.equal(cli(home, 'pool-info', 'tp').code, 1, 'gone once stopped, as in libvirt');
  t.ok(existsSync(join(dir, 't')), 'its storage stays');
  const xml = join(dir, 'p.xml');
  writeFileSync(xml, `<pool type='dir'><name>tx</name><target><path>${join(dir, 't')}</path></target></pool>`);
  t.equal(cli(home, 'pool-create', xml).code, 0, 'pool-create FILE');
  // Its own UUID (a document without one gets a new one, and a name taken under another UUID is POOL_EXISTS, as in libvirt).
  const own = join(dir, 'own.xml');
  writeFileSync(own, cli(home, 'pool-dumpxml', 'tx', '--inactive').out);
  t.equal(cli(home, 'pool-define', xml).code, 1, 'another UUID under its name: refused');
  t.equal(cli(home, 'pool-define', own).code, 0, 'defining it (its UUID) makes it persistent');
  t.equal(cli(home, 'pool-destroy', 'tx').code, 0);
  t.equal(cli(home, 'pool-info', 'tx').code, 0, 'still defined after stop');
  t.equal(cli(home, 'pool-create-as', 'bad', 'dir', '--target', '/proc/nope/x', '--build').code, 1, 'a failed build');
  t.equal(cli(home, 'pool-info', 'bad').code, 1, 'leaves no definition');
  const caps = cli(home, 'pool-capabilities');
  t.equal(caps.code, 0);
  t.match(caps.out, /^<storagepoolCapabilities>\n  <pool type='dir' supported='yes'>/, 'libvirt\'s document');
  t.match(caps.out, /<pool type='sheepdog' supported='no'\/>/, 'libvirt-only types are listed, unsupported');
  t.ok(caps.out.endsWith('</storagepoolCapabilities>\n'));
});
