// Edge cases recorded for real on this machine: a GPT whose backup header is not at the end of
// the (grown) image, where parted warns before/around its output; and netfs mounts where the
// kernel has no NFS/CIFS client (the real message of util-linux's mount here).
import t from 'tap';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { realCtx } from '../helpers/ctx.js';
import type { ScriptletDef, ScriptletResult } from '../../../runner/scriptlet/api.js';
import { partedProbe } from '../../../runner/probe/tools/parted.js';
import { utilLinuxProbe } from '../../../runner/probe/tools/util-linux.js';
import type { Volume } from '../../../runner/contracts/generated.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const record = process.env['RECORD_GOLDENS'] === '1';

async function ver(p: { binary: string | null; args: readonly string[]; parse(o: string, e: string): string | null }): Promise<string> {
  const r = await execa(p.binary as string, [...p.args], { reject: false });
  return p.parse(String(r.stdout), String(r.stderr)) as string;
}

async function run<T>(tool: string, version: string, scriptlet: string, kase: string, input: Record<string, unknown>, fsRoot: string | null): Promise<ScriptletResult<T>> {
  const def = ((await import(join(root, 'dist', 'scriptlets', `${scriptlet}.js`))) as { default: ScriptletDef }).default;
  const ctx = realCtx(version, { fsRoot });
  const res = (await def.run(ctx, input as never)) as ScriptletResult<T>;
  if (record) {
    const outDir = join(root, 'golden', `${tool}-${version}`);
    mkdirSync(outDir, { recursive: true });
    const file = scriptlet.split('/')[1] as string;
    writeFileSync(join(outDir, `${file}-${kase}.json`), `${JSON.stringify({
      scriptlet, tool, version, case: kase,
      source: `recorded live by test/scriptlets/parted/real-edge.test.ts on Debian 12 (${tool} ${version}); this kernel has no NFS or CIFS client`,
      host: { deviceMapper: false, root: true }, fsRoot, dryRun: false, operation: def.operation, input, calls: ctx.calls,
      result: res.ok ? res : { ok: false, error: { code: res.error.code, message: res.error.message } }
    }, null, 2)}\n`);
  }
  return res;
}

const skip = process.getuid?.() !== 0 ? 'needs root' : false;

t.test('GPT backup header not at the end: the warning does not break reading', { skip }, async (t) => {
  const parted = await ver(partedProbe);
  if (!parted.startsWith('3.5')) { t.pass(`recorded for parted 3.5 only, this is ${parted}`); return; }
  const dir = mkdtempSync('/tmp/sa-disk-edge-');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const img = join(dir, 'grown.img');
  await execa('truncate', ['-s', '64M', img]);
  await execa('parted', ['-s', img, 'mklabel', 'gpt', 'mkpart', 'primary', '2048s', '10239s']);
  await execa('truncate', ['-s', '65M', img]);
  const pool = { name: 'grown', uuid: '1d4b8a2c-7e3f-4a9b-8c1d-2e5f6a7b8c9d', type: 'disk', source: { devices: [{ path: img }], format: 'gpt' }, target: { path: '/dev' } };
  const r = await run<{ volumes: Volume[] }>('parted', parted, 'parted-3.5/vol-list', 'gpt-not-at-end', { pool }, null);
  t.ok(r.ok, 'listed');
  t.same(r.ok && r.value.volumes.map((v) => [v.name, v.capacity]), [['grown.img1', 4194304]]);
});

t.test('netfs without a kernel client', { skip }, async (t) => {
  const ul = await ver(utilLinuxProbe);
  const fsTypes = (await import('node:fs')).readFileSync('/proc/filesystems', 'utf8');
  if (/\bnfs\b|\bcifs\b/.test(fsTypes)) { t.pass('this kernel has NFS/CIFS: the missing-client case cannot be recorded'); return; }
  const dir = mkdtempSync('/tmp/sa-netfs-');
  t.teardown(async () => {
    await execa('umount', [join(dir, 'mnt')], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  for (const [kase, source] of [
    ['nfs-no-client', { hosts: [{ name: 'localhost' }], dir: '/var/lib/libvirt/images', format: 'nfs' }],
    ['cifs-no-client', { hosts: [{ name: 'localhost' }], dir: 'samba_share', format: 'cifs' }]
  ] as const) {
    const pool = { name: 'nfsimages', uuid: '7641d5a8-af11-f730-a34e-0a7dfcede71f', type: 'netfs', source, target: { path: mnt } };
    const r = await run('util-linux', ul, 'util-linux-2/pool-start', kase, { pool }, mnt);
    t.equal(r.ok ? 'ok' : r.error.code, 'TOOL_MISSING', kase);
    t.match(r.ok ? '' : r.error.message, source.format === 'nfs' ? /nfs-common/ : /cifs-utils/, 'names the package');
  }
});
