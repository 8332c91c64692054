// The logical backend's table and the lvm2 scriptlets behind it: every operation it offers has
// exactly one scriptlet for any lvm2 release from 2.02.98 on (ranges never overlap), each
// declaring the binaries it runs.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { BACKENDS } from '../../runner/backends/index.js';
import { logicalBackend } from '../../runner/backends/logical.js';
import { Registry, type RegisteredScriptlet } from '../../runner/scriptlet/registry.js';

const SCRIPTLETS = new URL('../../scriptlets/', import.meta.url).pathname;

/** The lvm2 scriptlets as the registry has them, with the ranges it ends where the next series starts. */
async function lvmScriptlets(): Promise<RegisteredScriptlet[]> {
  return (await Registry.load()).all.filter((s) => s.def.tool === 'lvm2');
}

t.test('table', async (t) => {
  t.equal(BACKENDS.logical, logicalBackend, 'registered');
  t.equal(logicalBackend.type, 'logical');
  t.equal(logicalBackend.fileTarget, false);
  const ops = Object.keys(logicalBackend.ops).sort();
  t.same(ops, ['pool.build', 'pool.delete', 'pool.findSources', 'pool.refresh', 'pool.start', 'pool.stop', 'vol.copy', 'vol.create', 'vol.delete', 'vol.get', 'vol.list', 'vol.resize', 'vol.snapshot', 'vol.wipe']);
  t.ok(Object.values(logicalBackend.ops).every((tool) => tool === 'lvm2'));
});

t.test('one scriptlet per operation for every lvm2 release', async (t) => {
  const all = await lvmScriptlets();
  // Every lvm2-* folder of the tree holds scriptlets, and every scriptlet is in one (no count by hand).
  const folders = readdirSync(SCRIPTLETS).filter((d) => d.startsWith('lvm2-')).sort();
  t.same([...new Set(all.map((s) => s.id.split('/')[0]))].sort(), folders, 'the registry has every lvm2 series folder');
  const versions = ['2.2.98', '2.2.133', '2.2.157', '2.2.158', '2.2.168', '2.2.187', '2.3.0', '2.3.11', '2.3.16', '2.3.17', '2.3.38'];
  for (const op of Object.keys(logicalBackend.ops)) {
    const mine = all.filter((s) => s.def.operation === op);
    for (const v of versions) {
      const hits = mine.filter((s) => semver.satisfies(v, s.range));
      t.equal(hits.length, 1, `${op} at ${v}: ${hits.map((h) => h.id).join(', ')}`);
    }
    t.notOk(mine.some((s) => semver.satisfies('2.2.97', s.range)), `${op}: nothing below the oldest recorded release`);
  }
  const series = (v: string, op = 'vol.list') => all.find((s) => s.def.operation === op && semver.satisfies(v, s.range))?.id.split('/')[0];
  t.equal(series('2.2.157'), 'lvm2-2.02.98');
  t.equal(series('2.2.98', 'vol.create'), 'lvm2-2.02.98', 'no --yes before 2.02.99');
  t.equal(series('2.2.99', 'vol.create'), 'lvm2-2.02.99');
  t.equal(series('2.2.157', 'vol.snapshot'), 'lvm2-2.02.99');
  t.equal(series('2.2.99', 'vol.list'), 'lvm2-2.02.98', 'what 2.02.99 did not change stays with 2.02.98');
  t.equal(series('2.2.158'), 'lvm2-2.02.158');
  t.equal(series('2.3.16'), 'lvm2-2.03');
  t.equal(series('2.4.0'), undefined, 'lvm2-2.03 declares its own end');
  for (const s of all) {
    t.same(s.def.poolTypes, ['logical'], s.id);
    t.equal(s.def.tool, 'lvm2', s.id);
    t.ok(s.def.why.length > 100 && /2\.0[23]\.\d+/.test(s.def.why), `${s.id} says why`);
    t.ok(s.def.binaries.length > 0, s.id);
  }
});
