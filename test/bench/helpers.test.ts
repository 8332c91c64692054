// Tests of the benchmark's own helpers (the benchmark itself is `npm run bench`, not a test).

import t from 'tap';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MarkerBuffer, markerCommands, outputLines, stderrMarker, stdoutMarker, stepErrors, virshLine, virshQuote } from './lib/markers.js';
import { execCallsOf, lvNamesOfReport, pvSizeMiB, LV_SIZE, spawnBare, TOOL_ENV } from './lib/lvm.js';
import { benchConfig, fmtMs, median, needsDirPools, needsLibvirt, parseOnly, ratio, renderTable, summarize } from './lib/stats.js';
import { VirshSession } from './lib/virsh.js';

t.test('median', async (t) => {
  t.equal(median([3]), 3);
  t.equal(median([5, 1, 3]), 3);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([10, 10, 1000]), 10, 'an outlier does not move it');
  const xs = [9, 2, 7];
  median(xs);
  t.same(xs, [9, 2, 7], 'input not sorted in place');
  t.throws(() => median([]));
});

t.test('ratio and formatting', async (t) => {
  t.equal(ratio(30, 10), 3);
  t.equal(ratio(null, 10), null);
  t.equal(ratio(10, null), null);
  t.equal(ratio(10, 0), null);
  t.equal(fmtMs(null), 'n/a');
  t.equal(fmtMs(1234.56), '1235');
  t.equal(fmtMs(12.345), '12.3');
  t.equal(fmtMs(1.2345), '1.23');
  const s = summarize({ id: 'x', workload: 'w', baseline: 'b', agentSamples: [3, 1, 2], baselineSamples: [4, 4, 8] });
  t.equal(s.agentMedianMs, 2);
  t.equal(s.baselineMedianMs, 4);
  t.equal(s.ratio, 0.5);
  const missing = summarize({ id: 'y', workload: 'w', baseline: 'b', agentSamples: [], baselineSamples: [1] });
  t.equal(missing.agentMedianMs, null);
  t.equal(missing.ratio, null);
});

t.test('benchConfig', async (t) => {
  const d = benchConfig({});
  t.equal(d.rounds, 5);
  t.equal(d.createDelete, 1000);
  t.equal(d.listVolumes, 10000);
  t.equal(d.qcow2, 200);
  t.same(d.sides, { agent: true, libvirt: true });
  const q = benchConfig({ BENCH_QUICK: '1' });
  t.ok(q.quick);
  t.ok(q.createDelete < d.createDelete && q.listVolumes < d.listVolumes && q.qcow2 < d.qcow2);
  t.equal(benchConfig({ BENCH_QUICK: '1', BENCH_ROUNDS: '7' }).rounds, 7);
  t.same(benchConfig({ BENCH_SIDES: 'libvirt' }).sides, { agent: false, libvirt: true });
  t.equal(benchConfig({ BENCH_PIPELINED: '0' }).pipelined, false);
  t.throws(() => benchConfig({ BENCH_ROUNDS: '0' }));
  t.throws(() => benchConfig({ BENCH_ROUNDS: 'five' }));
  t.throws(() => benchConfig({ BENCH_SIDES: 'neither' }));
  t.equal(d.lvmVolumes, 40);
  t.ok(q.lvmVolumes < d.lvmVolumes && q.lvmReps < d.lvmReps);
  t.equal(benchConfig({ BENCH_LVM_REPS: '7' }).lvmReps, 7);
});

t.test('BENCH_ONLY picks workloads; libvirt only runs when a workload compares with it', async (t) => {
  t.same(parseOnly(undefined), { a: true, b: true, c: true, d: true, lvm: true });
  t.same(parseOnly(''), parseOnly(undefined));
  t.same(parseOnly('lvm'), { a: false, b: false, c: false, d: false, lvm: true });
  t.same(parseOnly('e'), parseOnly('lvm'), 'e is the lvm workload');
  t.same(parseOnly('a, D'), { a: true, b: false, c: false, d: true, lvm: false });
  t.throws(() => parseOnly('lvm,z'));
  const lvmOnly = benchConfig({ BENCH_ONLY: 'lvm' });
  t.equal(needsDirPools(lvmOnly), false);
  t.equal(needsLibvirt(lvmOnly), false, 'BENCH_ONLY=lvm starts no libvirtd');
  t.equal(needsLibvirt(benchConfig({ BENCH_ONLY: 'd' })), true, 'the cold CLI row compares with virsh');
  t.equal(needsDirPools(benchConfig({ BENCH_ONLY: 'd' })), false);
  t.equal(needsLibvirt(benchConfig({ BENCH_SIDES: 'agent' })), false);
  t.equal(needsLibvirt(benchConfig({})), true);
});

t.test('lvm workload helpers', async (t) => {
  const golden = {
    calls: [
      { kind: 'fs', op: 'stat', args: [], result: { ok: true } },
      { kind: 'exec', argv: ['lvs', '--reportformat', 'json', 'vg'], stdin: null, exitCode: 0, signal: null, timedOut: false, stdout: 'S', stderr: '' },
    ],
  };
  t.same(execCallsOf(golden), [{ argv: ['lvs', '--reportformat', 'json', 'vg'], stdout: 'S' }], 'exec calls only, in order');
  t.throws(() => execCallsOf({}), /calls/);
  t.throws(() => execCallsOf({ calls: [{ kind: 'exec', argv: ['lvs'], exitCode: 5, stdout: '' }] }), /exited 5/, 'a failed recorded call is no baseline');
  t.throws(() => execCallsOf({ calls: [{ kind: 'exec', argv: [], exitCode: 0 }] }), /malformed/);
  // lvs 2.03.16 output shape (golden/lvm2-2.03.16/two-lvs-vol-list.json), with a warning line before.
  const out = '  WARNING: something\n  {\n      "report": [\n          {\n              "lv": [\n                  {"lv_name":"a", "vg_name":"v"},\n                  {"lv_name":"b", "vg_name":"v"}\n              ]\n          }\n      ]\n  }\n';
  t.same(lvNamesOfReport(out), ['a', 'b']);
  t.throws(() => lvNamesOfReport('no report'));
  t.ok(pvSizeMiB(40) * 2 * 1024 * 1024 >= 40 * LV_SIZE + 2 * 1024 * 1024, 'two PVs hold the LVs and their metadata');
  t.equal(pvSizeMiB(1), 32);
});

t.test('spawnBare: the runner\'s tool environment only, output collected', async (t) => {
  process.env['SA_BENCH_LEAK'] = 'x';
  t.teardown(() => delete process.env['SA_BENCH_LEAK']);
  const r = await spawnBare('/usr/bin/env', ['env', '-0']);
  t.equal(r.exitCode, 0);
  const own = r.stdout.split('\0').filter((l) => l !== '' && !/^_TAPJS_|^NODE_OPTIONS=.*@tapjs/s.test(l));
  t.same(own, Object.entries(TOOL_ENV).map(([k, v]) => `${k}=${v}`), 'tap\'s own hook variables aside');
  const f = await spawnBare('/bin/sh', ['sh', '-c', 'echo e >&2; exit 4']);
  t.match(f, { exitCode: 4, stdout: '', stderr: 'e\n' });
  await t.rejects(spawnBare('/nonexistent/tool', ['tool']));
});

t.test('renderTable pads columns', async (t) => {
  const out = renderTable(['a', 'bb'], [['xxx', '1'], ['y', '22']], [false, true]).split('\n');
  t.same(out, ['a    bb', '---  --', 'xxx   1', 'y    22']);
});

t.test('virshQuote keeps one argument one argument', async (t) => {
  t.equal(virshQuote('vol-1.img'), 'vol-1.img');
  t.equal(virshQuote('/tmp/a/b'), '/tmp/a/b');
  t.equal(virshQuote('a b'), "'a b'");
  t.equal(virshQuote("it's"), '"it\'s"');
  t.equal(virshQuote('a"b\'c'), '"a\\"b\'c"');
  t.equal(virshQuote(''), "''");
  t.equal(virshQuote('a;b'), "'a;b'", 'a ; does not split commands');
  t.throws(() => virshQuote('a\nb'));
  t.equal(virshLine(['vol-delete', 'x y', '--pool', 'p']), "vol-delete 'x y' --pool p");
});

t.test('markers: echoed command lines never contain the marker', async (t) => {
  for (const n of [1, 42, 100000]) {
    const [outCmd, errCmd] = markerCommands(n);
    t.notOk(outCmd!.includes(stdoutMarker(n)));
    t.notOk(errCmd!.includes(stderrMarker(n)));
  }
});

t.test('MarkerBuffer splits at markers, also across chunks', async (t) => {
  const b = new MarkerBuffer();
  b.push('virsh # vol-list p\n row1\n@@M');
  t.equal(b.take('@@M1@@'), undefined);
  b.push('1@@virsh # echo x\n');
  t.equal(b.take('@@M1@@'), 'virsh # vol-list p\n row1\n');
  t.equal(b.pending, 'virsh # echo x\n');
  b.push('@@M2@@@@M3@@');
  t.equal(b.take('@@M3@@'), 'virsh # echo x\n@@M2@@', 'takes up to the asked marker only');
  t.equal(b.take('@@M3@@'), undefined);
});

t.test('stepErrors and outputLines', async (t) => {
  t.equal(stepErrors('error: '), '');
  t.equal(stepErrors('error: Failed to create vol v1\nerror: exists already\nerror: '), 'error: Failed to create vol v1\nerror: exists already');
  t.same(outputLines('virsh # vol-list p\n v1  /p/v1\n\nvirsh # echo "@@""M1@@"\n'), [' v1  /p/v1']);
});

// The session logic against a real virsh with libvirt's in-process test driver (no daemon).
t.test('VirshSession against virsh -c test:///default', { skip: existsSync('/usr/bin/virsh') ? false : 'virsh not installed' }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'bench-virsh-test-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const v = new VirshSession('test:///default', home);
  t.teardown(() => v.close());
  const ok = await v.step([['pool-list', '--all']]);
  t.match(ok.stdout, /default-pool/);
  t.equal(ok.stderr, '');
  await t.rejects(
    v.step([['vol-info', 'no-such-volume', '--pool', 'default-pool']]),
    { name: 'VirshError', stderr: /not found/ },
    'a failed command fails its step',
  );
  // Steps sent together keep their own output and errors.
  const [a, b, c] = await Promise.allSettled([
    v.step([['vol-create-as', 'default-pool', 'bench-a', '1M']]),
    v.step([['vol-create-as', 'default-pool', 'bench-a', '1M']]),
    v.step([['vol-list', 'default-pool']]),
  ]);
  t.equal(a!.status, 'fulfilled');
  t.equal(b!.status, 'rejected', 'creating the same name twice fails');
  t.match(b!.status === 'rejected' ? String(b.reason.message) : '', /already|exist/i);
  t.equal(c!.status, 'fulfilled');
  t.match(c!.status === 'fulfilled' ? c.value.stdout : '', /bench-a/);
  await v.close();
  await t.rejects(v.step([['pool-list']]), /not running/);
  t.ok(existsSync(join(home, 'cache', 'libvirt', 'virsh', 'history')), 'virsh kept its history in the temp home');
});
