// Probes: versions read from real tools, cached by path, size and mtime; a warm call runs none.
import t from 'tap';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { ProbeService } from '../../../runner/probe/probe.js';
import { normalizeVersion } from '../../../runner/probe/version.js';
import type { ToolProbe } from '../../../runner/probe/tools/types.js';
import { tempDir } from '../../helpers/paths.js';

t.test('normalized versions', async (t) => {
  t.equal(normalizeVersion('2.02.98(2)-git (2012-10-15)'), '2.2.98');
  t.equal(normalizeVersion('3.5'), '3.5.0');
  t.equal(normalizeVersion('qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7)'), '7.2.22');
  t.equal(normalizeVersion('none'), null);
});

t.test('a warm probe runs nothing; a changed binary is probed again', async (t) => {
  const dir = tempDir(t);
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  const counter = join(dir, 'count');
  const tool = join(bin, 'faketool');
  const script = (v: string) => `#!/bin/sh\necho x >> ${counter}\necho "faketool version ${v}"\n`;
  writeFileSync(tool, script('1.2.3'));
  chmodSync(tool, 0o755);
  const probe: ToolProbe = { tool: 'fake', binary: 'faketool', package: 'fake-pkg', args: ['--version'], parse: (o) => /version (\S+)/.exec(o)?.[1] ?? null };
  const home = join(dir, 'home');
  mkdirSync(home);
  const count = () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;
  const a = new ProbeService(home, bin, [probe]);
  const first = await a.probe('fake');
  t.same([first.version, first.normalized, first.cached], ['1.2.3', '1.2.3', false]);
  t.equal(count(), 1);
  // A new process (a new ProbeService) reads the cache from the home.
  const b = new ProbeService(home, bin, [probe]);
  const warm = await b.probe('fake');
  t.same([warm.version, warm.cached], ['1.2.3', true], 'cached in the home');
  t.equal(count(), 1, 'no probe ran');
  const concurrent = await Promise.all([new ProbeService(home, bin, [probe]).probe('fake', true), b.probe('fake', true)]);
  t.equal(concurrent[1].version, '1.2.3');
  writeFileSync(tool, `${script('2.0.1')}# longer\n`);
  utimesSync(tool, new Date(), new Date(Date.now() + 5000));
  const changed = await b.probe('fake');
  t.same([changed.version, changed.cached], ['2.0.1', false], 'a changed binary is probed again');
  const missing = await new ProbeService(home, join(dir, 'nowhere'), [probe]).probe('fake');
  t.same([missing.path, missing.version, missing.package], [null, null, 'fake-pkg'], 'missing tools name their package');
});
