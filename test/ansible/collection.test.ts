// The Ansible collection (ansible/) driven by Debian's ansible-core: one playbook, two inventory
// hosts reached over ssh to a private sshd on 127.0.0.1, each with its own agent home. Check
// mode first (changes nothing), then a real run (changed), the same run again (no change), and a
// bigger size (one resize per host). Ansible's verdicts are read from a JSON recap callback.
import t from 'tap';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, REPO, tempDir } from '../helpers/paths.js';
import { sshdMissing, startSshd } from '../helpers/sshd.js';

const PLAYBOOK = '/usr/bin/ansible-playbook';
const ADHOC = '/usr/bin/ansible';
// Four playbook runs over ssh: minutes on a loaded machine, so more than the suite's 300 s.
t.setTimeout(900_000);
const why = sshdMissing() ?? (existsSync(PLAYBOOK) ? null : 'no ansible-playbook (apt-get install ansible-core)');
if (why && process.env['CI']) throw new Error(`the Ansible test must run on CI: ${why}`);

interface Recap {
  stats: Record<string, { ok: number; changed: number; failures: number; unreachable: number; skipped: number }>;
  results: { task: string; host: string; status: string; result: { changed?: boolean; diff?: { prepared?: string; before?: string; after?: string }[] | { prepared?: string }; msg?: string; code?: string } }[];
}

function cli(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--home', home, '--json', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`storage-agent ${args.join(' ')}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}
const poolNames = (home: string) => (cli(home, 'pool-list', '--all').pools as { name: string; state: string; autostart: boolean }[]);
const volumes = (home: string, pool: string) => (cli(home, 'vol-list', pool).volumes as { name: string; capacity: number; format: string }[]);

t.test('a playbook over two hosts: check mode, changed, then ok', { skip: why ?? false }, async (t) => {
  const sshd = await startSshd(t);
  const dir = tempDir(t, 'sa-ansible-');
  const homes = { agent_a: join(dir, 'home-a'), agent_b: join(dir, 'home-b') };
  for (const home of Object.values(homes)) cli(home, 'vol-create-as', 'default', 'old.img', '1M');

  // The collection from this checkout, where Ansible looks for storage_agent.storage_agent.
  mkdirSync(join(dir, 'collections', 'ansible_collections', 'storage_agent'), { recursive: true });
  symlinkSync(join(REPO, 'ansible'), join(dir, 'collections', 'ansible_collections', 'storage_agent', 'storage_agent'));
  const inventory = join(dir, 'inventory.json');
  writeFileSync(inventory, JSON.stringify({
    agents: {
      hosts: Object.fromEntries(Object.entries(homes).map(([h, home]) => [h, { ansible_host: '127.0.0.1', storage_agent_home: home }])),
      vars: {
        ansible_port: sshd.port,
        ansible_user: sshd.user,
        ansible_ssh_private_key_file: sshd.identity,
        ansible_ssh_common_args: `-F ${sshd.clientConfig}`,
        ansible_python_interpreter: '/usr/bin/python3',
        storage_agent_bin: BIN
      }
    }
  }));
  const cfg = join(dir, 'ansible.cfg');
  writeFileSync(cfg, '[defaults]\n');
  const env: NodeJS.ProcessEnv = {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: dir,
    LC_ALL: 'C.UTF-8',
    ANSIBLE_CONFIG: cfg,
    ANSIBLE_COLLECTIONS_PATH: join(dir, 'collections'),
    ANSIBLE_CALLBACK_PLUGINS: join(REPO, 'test', 'fixtures', 'ansible', 'callback_plugins'),
    ANSIBLE_CALLBACKS_ENABLED: 'sa_record',
    ANSIBLE_PIPELINING: 'true',
    // No ControlMaster: nothing of ssh outlives a run.
    ANSIBLE_SSH_ARGS: '',
    ANSIBLE_LOCAL_TEMP: join(dir, 'tmp-local'),
    ANSIBLE_REMOTE_TEMP: join(dir, 'tmp-remote'),
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_RETRY_FILES_ENABLED: 'false',
    ANSIBLE_FORKS: '2',
    PYTHONDONTWRITEBYTECODE: '1'
  };
  let n = 0;
  const run = (bin: string, args: string[]) => new Promise<{ code: number | null; out: string; recap: Recap }>((resolve) => {
    const record = join(dir, `recap-${++n}.json`);
    const started = Date.now();
    // Ad-hoc `ansible` loads callbacks only when asked to.
    execFile(bin, ['-i', inventory, ...args], { env: { ...env, SA_RECORD: record, ANSIBLE_LOAD_CALLBACK_PLUGINS: '1' }, maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
      const recap = existsSync(record) ? (JSON.parse(readFileSync(record, 'utf8')) as Recap) : { stats: {}, results: [] };
      t.comment(`${bin} ${args.join(' ')}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
      if (code !== 0) t.comment(`${stdout}\n${stderr}`.slice(-4000));
      resolve({ code, out: `${stdout}\n${stderr}`, recap });
    });
  });
  const play = (...args: string[]) => run(PLAYBOOK, [join(REPO, 'test', 'fixtures', 'ansible', 'site.yml'), ...args]);
  const hosts = Object.keys(homes).sort();

  // Check mode (with diff): changes reported and planned, nothing changed.
  const check = await play('--check', '--diff');
  t.equal(check.code, 0, 'ansible-playbook exits 0');
  t.same(Object.keys(check.recap.stats).sort(), hosts, 'both hosts ran');
  for (const h of hosts) t.ok((check.recap.stats[h]?.changed ?? 0) > 0 && check.recap.stats[h]?.failures === 0, `check mode on ${h}: changes reported, no failure`);
  const diffs = (task: string, r: Recap) => r.results.filter((x) => x.task === task).map((x) => JSON.stringify(x.result.diff ?? ''));
  t.ok(diffs('an images pool, running, started with the agent', check.recap).every((d) => d.includes('pool.define') && d.includes('writeDefinition')), 'diff mode shows the pool plan');
  t.ok(diffs('no old volume in the default pool', check.recap).every((d) => d.includes('unlink') && d.includes('old.img')), 'and the delete plan');
  for (const [h, home] of Object.entries(homes)) {
    t.same(poolNames(home).map((p) => p.name), ['default'], `check mode defined no pool on ${h}`);
    t.same(volumes(home, 'default').map((v) => v.name), ['old.img'], `check mode deleted nothing on ${h}`);
    t.notOk(existsSync(join(home, 'images-pool')), 'and built nothing');
  }

  // The real run: changed on both hosts, and the hosts are in the desired state.
  const first = await play('--diff');
  t.equal(first.code, 0, 'ansible-playbook exits 0');
  for (const h of hosts) t.ok((first.recap.stats[h]?.changed ?? 0) >= 5 && first.recap.stats[h]?.failures === 0, `first run on ${h}: changed=${first.recap.stats[h]?.changed}`);
  t.ok(diffs('a qcow2 disk in it', first.recap).every((d) => d.includes('run: qemu-img create -f qcow2')), 'diff mode shows the commands run');
  const nowhere = first.recap.results.filter((x) => x.task.startsWith('a volume in a pool that does not exist'));
  t.same(nowhere.map((x) => x.result.code), ['NO_POOL', 'NO_POOL'], 'the agent\'s error code in the failure');
  for (const [h, home] of Object.entries(homes)) {
    const pools = poolNames(home);
    t.same(pools.map((p) => [p.name, p.state, p.autostart]).sort(), [['default', 'running', true], ['images', 'running', true], ['spare', 'inactive', false]], `pools on ${h}`);
    t.same(volumes(home, 'images').map((v) => [v.name, v.format, v.capacity]).sort(), [['disk1.qcow2', 'qcow2', 64 << 20], ['scratch.img', 'raw', 8 << 20]], `volumes on ${h}`);
    t.same(volumes(home, 'default'), [], `old.img gone on ${h}`);
  }

  // The same run again: nothing to do.
  const second = await play();
  t.equal(second.code, 0, 'ansible-playbook exits 0');
  for (const h of hosts) t.same([second.recap.stats[h]?.changed, second.recap.stats[h]?.failures], [0, 0], `second run on ${h}: ok, changed=0`);

  // A bigger disk (only the disk's task): one resize per host.
  const grow = await play('--tags', 'disk', '-e', 'disk1_size=96M');
  t.equal(grow.code, 0, 'ansible-playbook exits 0');
  for (const h of hosts) t.equal(grow.recap.stats[h]?.changed, 1, `grow run on ${h}: one change`);
  for (const home of Object.values(homes)) t.equal(volumes(home, 'images').find((v) => v.name === 'disk1.qcow2')?.capacity, 96 << 20, 'resized to 96 MiB');

  // Ad hoc, as ops do: the running images pool absent = stopped and undefined, its data kept.
  const gone = await run(ADHOC, ['agents', '-m', 'storage_agent.storage_agent.storage_agent_pool', '-a', 'name=images state=absent agent={{ storage_agent_bin }} home={{ storage_agent_home }}']);
  t.equal(gone.code, 0, 'ansible exits 0');
  for (const h of hosts) t.equal(gone.recap.stats[h]?.changed, 1, `images absent on ${h}: changed`);
  t.same(gone.recap.results.map((x) => (x.result as { steps?: { method: string }[] }).steps?.map((s) => s.method)), [['pool.stop', 'pool.undefine'], ['pool.stop', 'pool.undefine']], 'by pool.stop then pool.undefine');
  for (const home of Object.values(homes)) {
    t.same(poolNames(home).map((p) => p.name).sort(), ['default', 'spare'], 'images undefined');
    t.ok(existsSync(join(home, 'images-pool', 'disk1.qcow2')), 'its volumes kept');
  }
});
