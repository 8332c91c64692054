// Pure helpers of the parted scriptlets, on real parted output (recordings, and parted 3.5 on
// this machine: `parted -s -m IMG unit B print free` after `mkpart 'a:b\c'`).
import t from 'tap';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  availableBytes, capacitySectors, classifyMessage, findPartition, labelOfLibvirtFormat, mkpartArgv, parseMachine,
  partitionPath, planCreate, planResize, printArgv, resizepartArgv, volumeFormat, type PartedTable
} from '../../../scriptlets/lib/parted.js';
import { parseJson } from '../../../scriptlets/parted-3.4.64/json-output.js';
import { servingScriptlet } from '../../golden/serving.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const golden = (p: string) => JSON.parse(readFileSync(resolve(root, 'golden', p), 'utf8')) as { calls: { stdout: string; stderr: string }[] };

t.test('partition device names', async (t) => {
  t.equal(partitionPath('/dev/loop0', 1), '/dev/loop0p1');
  t.equal(partitionPath('/dev/nvme0n1', 3), '/dev/nvme0n1p3');
  t.equal(partitionPath('/dev/mmcblk0', 2), '/dev/mmcblk0p2');
  t.equal(partitionPath('/dev/sda', 1), '/dev/sda1');
  t.equal(partitionPath('/dev/vdb', 12), '/dev/vdb12');
  t.equal(partitionPath('/dev/mapper/mpatha', 1, 'yes'), '/dev/mapper/mpathap1');
  t.equal(partitionPath('/dev/mapper/disk0', 1, 'no'), '/dev/mapper/disk01');
});

t.test('-m: 1.8.8 disk line without flags, 3.x with', async (t) => {
  const old = parseMachine(golden('parted-1.8.8/vol-list-gpt.json').calls[0]!.stdout, { diskFlags: false, escaped: false });
  const neu = parseMachine(golden('parted-3.4/vol-list-gpt.json').calls[0]!.stdout, { diskFlags: true, escaped: false });
  if (!old.ok || !neu.ok) throw new Error('parse');
  t.equal(old.table.disk.label, 'gpt');
  t.equal(old.table.disk.model, '');
  t.equal(neu.table.disk.size, 536870912);
  t.same(old.table.partitions.map((p) => [p.number, p.start, p.end]), neu.table.partitions.map((p) => [p.number, p.start, p.end]));
  t.same(neu.table.partitions[1]?.flags, ['swap'], '3.4 sets swap on linux-swap');
  t.same(old.table.partitions[1]?.flags, []);
  t.equal(neu.table.free.length, 3);
});

t.test('-m: msdos kinds from numbers and nesting', async (t) => {
  const r = parseMachine(golden('parted-3.4/vol-list-msdos.json').calls[0]!.stdout, { diskFlags: true, escaped: false });
  if (!r.ok) throw new Error(r.reason);
  t.same(r.table.partitions.map((p) => [p.number, p.kind]), [[1, 'primary'], [2, 'extended'], [5, 'logical'], [6, 'logical']]);
  t.equal(volumeFormat(r.table.partitions[1]!), 'extended');
});

t.test('-m: 3.4.64+ escapes, warnings and junk around the records', async (t) => {
  const out = 'Warning: something odd\nBYT;\n/tmp/dk/d.img:67108864B:file:512:512:gpt::;\n1:17408B:1048575B:1031168B:free;\n1:1048576B:10485759B:9437184B::a\\:b\\\\c:;\n2:10485760B:20971519B:10485760B::primary:swap;\n1:20971520B:67091967B:46120448B:free;\n';
  const r = parseMachine(out, { diskFlags: true, escaped: true });
  if (!r.ok) throw new Error(r.reason);
  t.equal(r.table.partitions[0]?.name, 'a:b\\c');
  t.same(r.table.partitions[1]?.flags, ['swap']);
  const plain = parseMachine(out, { diskFlags: true, escaped: false });
  t.equal(plain.ok && plain.table.partitions[0]?.name, 'a\\:b\\\\c', 'unescaped mode keeps the bytes, fields still right');
  t.notOk(parseMachine('Error: /tmp/rec/disk.img: unrecognised disk label\n', { diskFlags: false, escaped: false }).ok);
});

t.test('--json', async (t) => {
  const g = golden('parted-3.5/dos-vol-list.json');
  const r = parseJson(g.calls[0]!.stdout);
  if (!r.ok) throw new Error(r.reason);
  t.same(r.table.partitions.map((p) => p.kind), ['primary', 'extended', 'logical', 'logical']);
  t.ok(r.table.free.length > 0);
  t.notOk(parseJson('Error: nope').ok);
});

t.test('messages', async (t) => {
  t.equal(classifyMessage('', "Error: Partition doesn't exist.\n")?.kind, 'NO_VOLUME');
  t.equal(classifyMessage("Error: Partition doesn't exist.\n", '')?.kind, 'NO_VOLUME', '1.x writes errors to stdout');
  t.equal(classifyMessage('Warning: You requested a partition from 2097kB to 4194kB.\nThe closest location we can manage is 173MB to 173MB.  Is this still acceptable to you?\n', '')?.kind, 'NO_SPACE');
  t.equal(classifyMessage('', 'Error: The location 2000000s is outside of the device /tmp/rec/disk.img.\n')?.kind, 'NO_SPACE');
  t.equal(classifyMessage('', 'Error: Could not stat device /tmp/rec/no-such-disk.img - No such file or directory.\n')?.kind, 'INVALID_ARGUMENT');
  t.equal(classifyMessage('Error: Could not detect file system.\n', '')?.kind, 'UNSUPPORTED');
  t.equal(classifyMessage('', 'Error: /tmp/x: unrecognised disk label\n')?.kind, 'NO_LABEL');
  t.equal(classifyMessage('', 'Warning: Partition /dev/loop0p1 is being used. Are you sure you want to continue?\n')?.kind, 'POOL_BUSY');
  t.equal(classifyMessage('', 'Error: something new\n'), null);
});

function table(label: string, parts: [number, number, number][], free: [number, number][], size = 512 * 1048576): PartedTable {
  return {
    disk: { path: '/dev/x', size, transport: 'file', logicalSectorSize: 512, physicalSectorSize: 512, label, model: '', flags: [] },
    partitions: parts.map(([n, s, e]) => ({ number: n, start: s, end: e, size: e - s + 1, fs: '', name: '', flags: [], kind: n >= 5 ? 'logical' : 'primary' })),
    free: free.map(([s, e]) => ({ start: s, end: e, size: e - s + 1 }))
  };
}

t.test('planning', async (t) => {
  const M = 1048576;
  const empty = table('gpt', [], [[17408, 536853503]]);
  const p = planCreate(empty, { capacity: 10 * M });
  t.same(p.ok && [p.plan.startSector, p.plan.endSector, p.plan.first, p.plan.fsType], [2048, 2048 + 20480 - 1, 'primary', null]);
  const odd = planCreate(empty, { capacity: 1 });
  t.equal(odd.ok && odd.plan.endSector - odd.plan.startSector + 1, 2048, 'rounded up to 1 MiB');
  t.equal(capacitySectors(empty.disk, M + 1), 4096);
  const lin = planCreate(empty, { capacity: M, format: 'linux', extra: { partName: 'data' } });
  t.same(lin.ok && mkpartArgv('/dev/x', lin.plan.first, lin.plan.fsType, lin.plan.startSector, lin.plan.endSector), ['parted', '-s', '/dev/x', 'mkpart', 'data', 'ext2', '2048s', '4095s']);
  t.equal(planCreate(empty, { capacity: M, extra: { partName: 'has space' } }).ok, false);
  t.equal(planCreate(empty, { capacity: M, format: 'qcow2' }).ok, false);
  const lvm = planCreate(empty, { capacity: M, format: 'linux-lvm' });
  t.equal(lvm.ok && lvm.plan.flag, 'lvm');
  const full = planCreate(empty, { capacity: 600 * M });
  t.same(full.ok ? 'ok' : full.code, 'NO_SPACE');
  // msdos with four primaries: the free space after them is unusable.
  const four = table('msdos', [[1, M, 2 * M - 1], [2, 2 * M, 3 * M - 1], [3, 3 * M, 4 * M - 1], [4, 4 * M, 5 * M - 1]], [[5 * M, 512 * M - 1]]);
  const r = planCreate(four, { capacity: M });
  t.same(r.ok ? 'ok' : r.code, 'NO_SPACE');
  t.match(r.ok ? '' : r.message, /4 primary partitions are all used: one of them must be an extended/, 'says why the free space is unusable');
  t.notMatch(full.ok ? '' : full.message, /primary/, 'a plain lack of space says only that');
  t.equal(availableBytes(four), 0);
  t.equal(planCreate(table('msdos', [], [[16384, 512 * M - 1]]), { capacity: M, extra: { partType: 'logical' } }).ok, false, 'no logical without an extended');
  t.equal(planCreate(empty, { capacity: M, format: 'extended' }).ok, false, 'gpt has no extended');
  t.equal(labelOfLibvirtFormat(undefined), 'msdos', 'libvirt builds dos by default');
  t.equal(labelOfLibvirtFormat('lvm2'), null);
});

t.test('resize planning and argv', async (t) => {
  const M = 1048576;
  const tb = table('gpt', [[1, M, 11 * M - 1], [2, 11 * M, 21 * M - 1]], [[17408, M - 1], [21 * M, 100 * M - 1]]);
  const p2 = tb.partitions[1]!;
  const g = planResize(tb, p2, 50 * M, false);
  t.same(g.ok && [g.plan.endSector, g.plan.shrink], [(61 * M) / 512 - 1, false]);
  const s = planResize(tb, p2, 5 * M, false);
  t.same(s.ok ? 'ok' : s.code, 'INVALID_ARGUMENT');
  const s2 = planResize(tb, p2, 5 * M, true);
  t.same(s2.ok && resizepartArgv('/dev/x', 2, s2.plan.endSector, s2.plan.shrink), ['parted', '---pretend-input-tty', '/dev/x', 'resizepart', '2', `${(16 * M) / 512 - 1}s`]);
  const n = planResize(tb, tb.partitions[0]!, 20 * M, false);
  t.same(n.ok ? 'ok' : n.code, 'NO_SPACE');
  t.equal((planResize(tb, p2, 10 * M, false) as { ok: true; plan: { same: boolean } }).plan.same, true);
  t.same(printArgv('/dev/x', true), ['parted', '-s', '-m', '/dev/x', 'unit', 'B', 'print', 'free']);
  t.same(printArgv('/dev/x', false, true), ['parted', '-s', '--json', '/dev/x', 'unit', 'B', 'print']);
});

t.test('finding a partition by path, not by a number cut from the name', async (t) => {
  const tb = table('msdos', [[1, 1048576, 2097151], [5, 3145728, 4194303]], []);
  const f = findPartition(tb, '/dev/loop2', undefined, { path: '/dev/loop2p5' });
  t.equal(f.ok && f.plan.number, 5);
  t.equal(findPartition(tb, '/dev/loop2', undefined, { path: '/dev/loop2p5', extra: { extentStart: 99 } }).ok, false, 'moved partition');
  t.equal(findPartition(tb, '/dev/loop2', undefined, { path: '/dev/loop25' }).ok, false);
});

t.test('versions: the registry picks the series (ranges end where the next series starts)', async (t) => {
  const series = async (op: string, v: string) => (await servingScriptlet('parted', 'disk', op, v)).id.split('/')[0];
  t.equal(await series('vol-list', '3.4.64'), 'parted-3.4.64');
  t.equal(await series('vol-list', '3.4'), 'parted-3.1', '3.4 is below 3.4.64');
  t.equal(await series('vol-resize', '3.2'), 'parted-3.2');
  t.equal(await series('vol-resize', '3.1'), 'parted-3.1', '3.1 is below 3.2');
  t.equal(await series('vol-list', '3.1'), 'parted-3.1');
  t.equal(await series('vol-list', '3.0'), 'parted-1.8', '3.0 reads -m without disk flags');
  await t.rejects(servingScriptlet('parted', 'disk', 'vol-resize', '3.0'), 'no resize in parted 3.0');
  t.equal(await series('vol-resize', '10.0'), 'parted-3.4.64', 'numeric, not lexical');
  t.equal(await series('vol-resize', '2.3'), 'parted-1.8');
});
