// Remote hosts over OpenSSH: the typed client's connect({ ssh }) and the CLI's --connect, against
// a real sshd on 127.0.0.1 (started here with its own host key and config, stopped by PID). The
// remote command is this checkout's bin/storage-agent.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect, type SshTarget } from 'storage-agent/client';
import { BIN, tempDir } from '../../helpers/paths.js';
import { freePort, keygen, sshdMissing, startSshd, type Sshd } from '../../helpers/sshd.js';

const why = sshdMissing();
if (why && process.env['CI']) throw new Error(`the ssh tests must run on CI: ${why}`);

const target = (s: Sshd, extra: Partial<SshTarget> = {}): SshTarget => ({ host: '127.0.0.1', port: s.port, configFile: s.clientConfig, agent: [BIN], ...extra });
const logins = (s: Sshd) => s.log().split('\n').filter((l) => l.includes('Accepted publickey')).length;

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('connect({ ssh }) runs serve on the remote host: one ssh session for many requests', { skip: why ?? false }, async (t) => {
  const sshd = await startSshd(t);
  const home = join(tempDir(t), 'remote-home');
  const c = await connect({ ssh: target(sshd), home });
  if (!c.ok) throw new Error(`${c.error.code}: ${c.error.message} ${c.error.stderr ?? ''}`);
  const client = c.value;
  t.equal(client.remote, `127.0.0.1:${sshd.port}`);
  t.match(client.version, { agent: /\d/ }, 'agent.version over ssh');
  const made = await Promise.all(['a.img', 'b.img', 'c.img'].map((name) => client.vol.create({ pool: 'default', name, capacity: 1024 * 1024 })));
  t.ok(made.every((r) => r.ok), 'three creates in flight over one session');
  t.ok(existsSync(join(home, 'images', 'b.img')), 'made in the remote agent\'s --home');
  const missing = await client.vol.get({ pool: 'default', vol: 'zz.img' });
  t.equal(!missing.ok && missing.error.code, 'NO_VOLUME', 'the remote agent\'s error codes come through');
  await client.close();
  t.equal(logins(sshd), 1, 'one ssh login for the whole session');

  const url = `ssh://${sshd.user}@127.0.0.1:${sshd.port}?agent=${encodeURIComponent(BIN)}`;
  const list = cli('--connect', url, '--ssh-config', sshd.clientConfig, '--home', home, '--json', 'vol-list', 'default');
  t.equal(list.code, 0, list.err);
  t.same((JSON.parse(list.out) as { volumes: { name: string }[] }).volumes.map((v) => v.name).sort(), ['a.img', 'b.img', 'c.img'], 'CLI --connect lists the remote pool');
  const made2 = cli('--connect', url, '--ssh-config', sshd.clientConfig, '--home', home, 'vol-create-as', 'default', 'd.qcow2', '2M', '--format', 'qcow2');
  t.equal(made2.code, 0, made2.err);
  t.ok(existsSync(join(home, 'images', 'd.qcow2')), 'CLI --connect creates on the remote host');
  const clone = cli('--connect', url, '--ssh-config', sshd.clientConfig, '--home', home, 'vol-clone', 'd.qcow2', 'e.qcow2', '--pool', 'default');
  t.equal(clone.code, 0, `a two-call verb over one session: ${clone.err}`);
  const gone = cli('--connect', url, '--ssh-config', sshd.clientConfig, '--home', home, 'vol-info', 'nope', '--pool', 'default');
  t.equal(gone.code, 1);
  t.match(gone.err, /^error: NO_VOLUME: /m, 'a remote error is one line naming the code');
  const call = cli('--connect', url, '--ssh-config', sshd.clientConfig, '--home', home, 'call', 'pool.get', '{"name":"default"}');
  t.equal((JSON.parse(call.out) as { result: { name: string } }).result.name, 'default', 'call METHOD over ssh');
});

t.test('a host that is down, refuses the login, or has no agent: a clear code, no hang', { skip: why ?? false }, async (t) => {
  const sshd = await startSshd(t);
  const home = join(tempDir(t), 'remote-home');

  const down = await connect({ ssh: target(sshd, { port: await freePort() }), home });
  t.equal(!down.ok && down.error.code, 'CONNECT_FAILED', 'nothing listening: CONNECT_FAILED');
  t.match(!down.ok && down.error.message, /down/);

  const noAgent = await connect({ ssh: target(sshd, { agent: ['/nonexistent/storage-agent'] }), home });
  t.equal(!noAgent.ok && noAgent.error.code, 'TOOL_MISSING', 'no agent on the remote host: TOOL_MISSING');
  t.equal(!noAgent.ok && noAgent.error.exitCode, 127);
  const noAgentOnPath = await connect({ ssh: target(sshd, { agent: ['storage-agent-not-installed'] }), home });
  t.equal(!noAgentOnPath.ok && noAgentOnPath.error.code, 'TOOL_MISSING', 'not on the remote PATH: TOOL_MISSING');

  const stranger = join(tempDir(t), 'stranger');
  keygen(stranger);
  const extraKey = await connect({ ssh: target(sshd, { options: [`IdentityFile=${stranger}`] }), home });
  // -o IdentityFile adds to the config's list; a config with only the stranger's key is needed.
  const cfg = join(sshd.dir, 'stranger_config');
  writeFileSync(cfg, `Host *\n  Port ${sshd.port}\n  IdentityFile ${stranger}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${sshd.knownHosts}\n  GlobalKnownHostsFile /dev/null\n`);
  const denied = await connect({ ssh: target(sshd, { configFile: cfg }), home });
  t.equal(extraKey.ok, true, 'an extra key beside the authorized one still logs in');
  if (extraKey.ok) await extraKey.value.close();
  t.equal(!denied.ok && denied.error.code, 'PERMISSION_DENIED', 'a key the host does not know: PERMISSION_DENIED');

  const unknownHost = join(sshd.dir, 'unknown_host_config');
  writeFileSync(unknownHost, `Host *\n  Port ${sshd.port}\n  IdentityFile ${sshd.identity}\n  UserKnownHostsFile /dev/null\n  GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n`);
  const untrusted = await connect({ ssh: target(sshd, { configFile: unknownHost }), home });
  t.equal(!untrusted.ok && untrusted.error.code, 'PERMISSION_DENIED', 'an unknown host key is refused (BatchMode asks nobody)');

  // A host that takes the TCP connection and never says anything: ssh's ConnectTimeout ends it.
  const held: Socket[] = [];
  const silent = createServer((s) => held.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => {
    for (const s of held) s.destroy();
    silent.close();
  });
  const addr = silent.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const mute = await connect({ ssh: target(sshd, { port, connectTimeoutSec: 1 }), home });
  t.equal(!mute.ok && mute.error.code, 'TIMEOUT', 'a host that never answers: TIMEOUT');

  const cliDown = cli('--connect', `ssh://127.0.0.1:${await freePort()}`, '--ssh-config', sshd.clientConfig, 'pool-list');
  t.equal(cliDown.code, 1);
  t.match(cliDown.err, /^error: CONNECT_FAILED: /m, 'the CLI names the code');
  const cliBad = cli('--connect', 'ssh://-oProxyCommand=x', 'pool-list');
  t.match(cliBad.err, /^error: INVALID_ARGUMENT: /m, 'a host that would read as an ssh option is refused');
});
