// The iscsi-direct, iscsi and zfs tables and their scriptlets: every operation a table offers
// has exactly one scriptlet for every release of its tool the series cover, and none outside;
// what libvirt does not offer (or what has no proof yet) stays out of the tables.
import t from 'tap';
import semver from 'semver';
import { BACKENDS } from '../../runner/backends/index.js';
import { Registry } from '../../runner/scriptlet/registry.js';

const CASES = [
  { type: 'iscsi-direct', tool: 'libiscsi', ops: ['pool.findSources', 'pool.refresh', 'pool.start', 'pool.stop', 'vol.get', 'vol.list', 'vol.wipe'], inside: ['1.19.0', '1.20.0'], outside: ['1.18.0', '2.0.0'] },
  { type: 'iscsi', tool: 'open-iscsi', ops: ['pool.findSources', 'pool.refresh', 'pool.start', 'pool.stop', 'vol.get', 'vol.list'], inside: ['2.0.874', '2.1.0', '2.1.8', '2.1.11'], outside: ['2.0.873', '3.0.0'] },
  { type: 'zfs', tool: 'zfs', ops: ['pool.build', 'pool.delete', 'pool.findSources', 'pool.refresh', 'pool.start', 'pool.stop'], inside: ['0.8.0', '2.1.5', '2.2.7', '2.3.0', '2.4.4'], outside: ['0.7.13', '3.0.0'] }
] as const;

t.test('tables and scriptlets', async (t) => {
  const reg = await Registry.load();
  for (const c of CASES) {
    const b = BACKENDS[c.type];
    t.ok(b, `${c.type} is offered`);
    if (!b) continue;
    t.equal(b.fileTarget, false);
    t.same(Object.keys(b.ops).sort(), [...c.ops], `${c.type}: its operations`);
    t.ok(Object.values(b.ops).every((tool) => tool === c.tool), `${c.type}: all ${c.tool}`);
    for (const op of c.ops) {
      for (const v of c.inside) t.equal(reg.candidates(op, c.type, c.tool).filter((s) => semver.satisfies(v, s.def.versions)).length, 1, `${c.type} ${op} at ${c.tool} ${v}`);
      for (const v of c.outside) t.equal(reg.candidates(op, c.type, c.tool).filter((s) => semver.satisfies(v, s.def.versions)).length, 0, `${c.type} ${op}: nothing at ${v}`);
    }
  }
  // OpenZFS 2.3 is served by the zfs-0.8 series: nothing it reads changed (scriptlets/zfs-0.8/series.ts).
  const at23 = reg.select('pool.refresh', 'zfs', 'zfs', '2.3.0');
  t.equal(at23.ok ? at23.scriptlet.id : 'none', 'zfs-0.8/pool-refresh');
  t.match(reg.byId('zfs-0.8/pool-refresh')?.def.why ?? '', /2\.3 included/);
});
