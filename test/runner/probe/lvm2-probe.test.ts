import t from 'tap';
import { readFileSync } from 'node:fs';
import { parseLvmVersion, lvm2Probe } from '../../../runner/probe/tools/lvm2.js';
import { normalizeVersion } from '../../../runner/probe/version.js';

t.test('lvm version as printed by each release', async (t) => {
  // stdout of `lvm version` in shared/recordings/lvm2-*/01-version.json and on this host.
  const cases: [string, string, string][] = [
    ['  LVM version:     2.02.98(2)-git (2012-10-15)\n  Library version: 1.02.77-git (2012-10-15)\n', '2.02.98', '2.2.98'],
    ['  LVM version:     2.02.187(2) (2020-03-24)\n  Library version: 1.02.170 (2020-03-24)\n  Configuration:   ./configure --prefix=/tmp/rec\n', '2.02.187', '2.2.187'],
    ['  LVM version:     2.03.16(2) (2022-05-18)\n  Library version: 1.02.185 (2022-05-18)\n  Driver version:  4.48.0\n', '2.03.16', '2.3.16']
  ];
  for (const [stdout, raw, norm] of cases) {
    const v = parseLvmVersion(stdout, '');
    t.equal(v, raw);
    t.equal(normalizeVersion(v ?? ''), norm);
  }
  // fd-leak warnings and the device-mapper complaint on stderr do not matter.
  const stderr = 'File descriptor 10 (/dev/null) leaked on lvm invocation. Parent PID 1: x\n/dev/mapper/control: open failed: No such device\nIncompatible libdevmapper 1.02.185 (2022-05-18) and kernel driver (unknown version).\n';
  t.equal(parseLvmVersion(cases[2]![0], stderr), '2.03.16');
  t.equal(parseLvmVersion('', stderr), null, 'the library version is not the LVM version');
  t.equal(parseLvmVersion('garbage', ''), null);
  t.same([lvm2Probe.binary, lvm2Probe.package, lvm2Probe.args], ['lvm', 'lvm2', ['version']]);
});

t.test('the recorded version outputs', async (t) => {
  const dir = '/work/shared/recordings';
  for (const v of ['2.02.98', '2.02.133', '2.02.168', '2.02.187', '2.03.11']) {
    let rec: { stdout: string; stderr: string };
    try {
      rec = JSON.parse(readFileSync(`${dir}/lvm2-${v}/01-version.json`, 'utf8')) as { stdout: string; stderr: string };
    } catch {
      t.pass(`no recordings at ${dir}: skipped`);
      return;
    }
    t.equal(parseLvmVersion(rec.stdout, rec.stderr), v);
  }
});
