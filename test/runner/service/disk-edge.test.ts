// Edge cases through the agent's service, for real on this machine: a GPT whose backup header is
// not at the end of the (grown) device, where parted warns around its output; and netfs mounts
// on a host without the NFS/CIFS client (no mount.nfs / mount.cifs helper, and a kernel without
// the file system): util-linux's mount says so, and the agent answers TOOL_MISSING naming the
// Debian package of the helper. The helpers' absence is made through the agent's tool path
// (STORAGE_AGENT_TOOL_PATH), whether or not nfs-common and cifs-utils are installed here: its
// `mount` is the real util-linux mount run with --internal-only (-i), which never calls a
// /sbin/mount.TYPE helper, so it fails exactly as it does where no helper is installed.
import t from 'tap';
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, Volume } from '../../../runner/contracts/generated.js';
import { detachedCall } from '../../../runner/service/context.js';
import { dispatch } from '../../../runner/service/dispatch.js';
import { testService } from '../../helpers/runtime.js';
import { isMounted, needsRoot } from '../../helpers/loop.js';
import { FIXED_PATH } from '../../../runner/exec/run-command.js';

/** A tool directory (first on the agent's tool path) whose `mount` never runs a mount.TYPE helper. */
function toolPathWithoutMountHelpers(dir: string): string {
  const bin = join(dir, 'tools');
  mkdirSync(bin);
  const mount = ['/usr/bin/mount', '/bin/mount'].find((m) => existsSync(m)) ?? 'mount';
  writeFileSync(join(bin, 'mount'), `#!/bin/sh\n# The real mount, told not to call /sbin/mount.TYPE helpers: as on a host without them.\nexec ${mount} --internal-only "$@"\n`);
  chmodSync(join(bin, 'mount'), 0o755);
  return `${bin}:${FIXED_PATH}`;
}

t.test('GPT backup header not at the end: the warning does not break reading', { skip: needsRoot }, async (t) => {
  const dir = mkdtempSync('/tmp/sa-disk-edge-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const img = join(dir, 'grown.img');
  await execa('truncate', ['-s', '64M', img]);
  await execa('parted', ['-s', img, 'mklabel', 'gpt', 'mkpart', 'primary', '2048s', '10239s']);
  await execa('truncate', ['-s', '65M', img]);
  const raw = await execa('parted', ['-s', '-m', img, 'unit', 'B', 'print'], { reject: false, env: { LC_ALL: 'C' } });
  t.match(`${raw.stdout}\n${raw.stderr}`, /not all of the space|Fix|backup/i, 'parted does warn about this image');

  const svc = await testService(t);
  const call = (m: string, p: object) => dispatch(svc, detachedCall(), m, p);
  t.ok((await call('pool.define', { name: 'grown', type: 'disk', source: { devices: [{ path: img }], format: 'gpt' }, target: { path: '/dev' } })).ok);
  const started = await call('pool.start', { pool: 'grown' });
  t.ok(started.ok, `started${started.ok ? '' : `: ${started.error.message}`}`);
  t.equal(started.ok && (started.value as Pool).capacity, 65 * 1048576, 'the grown size');
  const list = await call('vol.list', { pool: 'grown' });
  t.ok(list.ok, 'listed');
  t.same(list.ok && (list.value as { volumes: Volume[] }).volumes.map((v) => [v.name, v.capacity]), [['grown.img1', 4194304]]);
  const after = await execa('parted', ['-s', '-m', img, 'unit', 'B', 'print'], { reject: false, env: { LC_ALL: 'C' } });
  t.equal(`${after.stdout}${after.stderr}`, `${raw.stdout}${raw.stderr}`, 'reading did not "fix" the label');
});

t.test('netfs without a kernel client', { skip: needsRoot }, async (t) => {
  const fsTypes = readFileSync('/proc/filesystems', 'utf8');
  const dir = mkdtempSync('/tmp/sa-netfs-');
  const svc = await testService(t, { toolPath: toolPathWithoutMountHelpers(dir) });
  t.teardown(async () => {
    for (const f of ['nfs', 'cifs']) if (isMounted(join(dir, f))) await execa('umount', [join(dir, f)], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });
  const call = (m: string, p: object) => dispatch(svc, detachedCall(), m, p);
  for (const [format, source, pkg] of [
    ['nfs', { hosts: [{ name: 'localhost' }], dir: '/var/lib/libvirt/images', format: 'nfs' }, /nfs-common/],
    ['cifs', { hosts: [{ name: 'localhost' }], dir: 'samba_share', format: 'cifs' }, /cifs-utils/]
  ] as const) {
    await t.test(format, async (t) => {
      if (new RegExp(`\\b${format}\\b`).test(fsTypes)) {
        t.pass(`this kernel has ${format}: the missing-client case cannot happen here`);
        return;
      }
      const target = join(dir, format);
      t.ok((await call('pool.define', { name: `n-${format}`, type: 'netfs', source, target: { path: target } })).ok, 'defined');
      t.ok((await call('pool.build', { pool: `n-${format}` })).ok, 'built (target made)');
      const r = await call('pool.start', { pool: `n-${format}` });
      t.equal(r.ok ? 'ok' : r.error.code, 'TOOL_MISSING', 'start: no client');
      t.match(r.ok ? '' : r.error.message, pkg, 'names the package');
      t.match(r.ok ? {} : r.error, { tool: 'util-linux', scriptlet: /^util-linux-/ }, 'with the tool context');
      t.same(r.ok ? [] : r.error.argv?.slice(0, 3), ['mount', '-t', format], 'and the command that failed');
      t.notOk(isMounted(target), 'nothing mounted');
      const p = await call('pool.get', { pool: `n-${format}` });
      t.equal(p.ok && (p.value as Pool).state, 'inactive', 'still inactive');
    });
  }
});
