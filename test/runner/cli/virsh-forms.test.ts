// virsh's forms that people type from its manual and distribution guides (issue 12): the
// positional pool-define-as with "-", vol-resize --delta/--allocate/-SIZE --shrink,
// vol-create-as --prealloc-metadata, vol-create-from, vol-name, vol-pool, pool-name, pool-uuid,
// and XML output ending with a newline.
import t from 'tap';
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, tempDir } from '../../helpers/paths.js';

// Many CLI processes, each starting an agent: on a loaded 2-core machine this outlasts tap's
// default file timeout, which is not a measure of anything here.
t.setTimeout(900_000);

function cli(home: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--home', home, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

t.test('virsh forms', { skip: existsSync('/usr/bin/qemu-img') ? false : 'needs qemu-img' }, async (t) => {
  const dir = tempDir(t);
  const home = join(dir, 'home');
  const target = join(dir, 'guest_images');
  const ok = (args: string[], what: string) => {
    const r = cli(home, ...args);
    t.equal(r.code, 0, `${what}: ${r.err}`);
    return r.out;
  };
  ok(['pool-define-as', 'guest_images', 'dir', '-', '-', '-', '-', target], 'positional pool-define-as with -');
  t.match(ok(['--json', 'pool-dumpxml', 'guest_images'], 'dumpxml'), new RegExp(`<path>${target}</path>`), 'the seventh argument is the target');
  t.equal(cli(home, 'pool-define-as', 'x', 'dir', '-', '-', '-', '-', target, '--target', target).code, 2, 'a value given twice is refused');
  ok(['pool-build', 'guest_images'], 'build');
  ok(['pool-start', 'guest_images'], 'start');
  const uuid = ok(['pool-uuid', 'guest_images'], 'pool-uuid').trim();
  t.match(uuid, /^[0-9a-f-]{36}$/);
  t.equal(ok(['pool-name', uuid], 'pool-name'), 'guest_images\n');

  ok(['vol-create-as', 'guest_images', 'm.qcow2', '16M', '--format', 'qcow2', '--allocation', '4M', '--prealloc-metadata'], 'prealloc-metadata');
  const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', join(target, 'm.qcow2')], { encoding: 'utf8' })) as { 'actual-size': number };
  t.ok(info['actual-size'] < 2 * 1024 * 1024, 'allocation below capacity: metadata only');
  ok(['vol-create-as', 'guest_images', 'f.qcow2', '8M', '--format', 'qcow2', '--prealloc-metadata'], 'prealloc-metadata, whole capacity');
  t.ok(statSync(join(target, 'f.qcow2')).blocks * 512 >= 8 * 1024 * 1024, 'allocation = capacity: falloc, as libvirt');
  ok(['vol-create-as', 'guest_images', 'plain.qcow2', '8M', '--format', 'qcow2', '--allocation', '8M'], 'allocation alone');
  t.ok(statSync(join(target, 'plain.qcow2')).blocks * 512 < 1024 * 1024, 'an allocation alone preallocates nothing in qcow2');

  const cap = (name: string) => (JSON.parse(cli(home, '--json', 'vol-info', name, '--pool', 'guest_images').out) as { capacity: number }).capacity;
  ok(['vol-resize', 'm.qcow2', '4M', '--pool', 'guest_images', '--delta'], 'resize --delta');
  t.equal(cap('m.qcow2'), 20 * 1024 * 1024, '16M + 4M');
  ok(['vol-resize', 'm.qcow2', '-2M', '--pool', 'guest_images', '--shrink'], 'resize -2M --shrink');
  t.equal(cap('m.qcow2'), 18 * 1024 * 1024, '20M - 2M');
  t.equal(cli(home, 'vol-resize', 'm.qcow2', '-2M', '--pool', 'guest_images').code, 2, 'a negative size without --shrink is refused');
  t.equal(cli(home, 'vol-resize', 'm.qcow2', '100M', '--pool', 'guest_images', '--delta', '--shrink').code, 1, 'shrinking below zero is refused');
  ok(['vol-create-as', 'guest_images', 'r.raw', '1M'], 'raw');
  ok(['vol-resize', 'r.raw', '8M', '--pool', 'guest_images', '--allocate'], 'resize --allocate');
  t.ok(statSync(join(target, 'r.raw')).blocks * 512 >= 7 * 1024 * 1024, 'the new space is allocated');

  const path = join(target, 'm.qcow2');
  t.equal(ok(['vol-name', path], 'vol-name'), 'm.qcow2\n');
  t.equal(ok(['vol-pool', path], 'vol-pool'), 'guest_images\n');
  t.equal(ok(['vol-pool', '--uuid', path], 'vol-pool --uuid'), `${uuid}\n`);

  const xml = join(dir, 'c.xml');
  writeFileSync(xml, "<volume><name>c.raw</name><target><format type='raw'/></target></volume>");
  t.match(ok(['vol-create-from', 'guest_images', xml, 'm.qcow2'], 'vol-create-from'), /Vol c\.raw created from input vol m\.qcow2/);
  const c = JSON.parse(cli(home, '--json', 'vol-info', 'c.raw', '--pool', 'guest_images').out) as { format: string; capacity: number };
  t.same([c.format, c.capacity], ['raw', 18 * 1024 * 1024], 'the document\'s format, the source\'s data');

  for (const args of [['vol-dumpxml', 'c.raw', '--pool', 'guest_images'], ['pool-dumpxml', 'guest_images']]) {
    const out = ok(args, args[0] as string);
    t.ok(out.endsWith('>\n'), `${args[0]} ends with a newline`);
  }
  ok(['pool-destroy', 'guest_images'], 'stop');
});
