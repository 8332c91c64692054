// agent.probe and agent.capabilities tell what this host can do, and why.
import t from 'tap';
import { dispatch } from '../../../runner/service/dispatch.js';
import { detachedCall } from '../../../runner/service/context.js';
import { testService } from '../../helpers/runtime.js';

t.test('probe names the scriptlet chosen per operation, with the reason', async (t) => {
  const svc = await testService(t);
  const r = await dispatch(svc, detachedCall(), 'agent.probe', {});
  t.ok(r.ok);
  if (!r.ok) return;
  const p = r.value as { tools: { tool: string; version: string | null }[]; operations: { poolType: string; operation: string; scriptlet: string | null; reason: string }[] };
  const qemu = p.tools.find((x) => x.tool === 'qemu-img');
  t.ok(qemu?.version, 'qemu-img found with its version');
  const create = p.operations.find((o) => o.poolType === 'dir' && o.operation === 'vol.create');
  t.equal(create?.scriptlet, 'qemu-img-6.1/vol-create', 'qemu-img 7.2 selects the 6.1 series');
  t.match(create?.reason ?? '', />=6\.1\.0/, 'the reason names the range');
});

t.test('capabilities follow the host: no device-mapper, no LVM snapshots', async (t) => {
  const svc = await testService(t);
  const r = await dispatch(svc, detachedCall(), 'agent.capabilities', {});
  t.ok(r.ok);
  if (!r.ok) return;
  const c = r.value as { host: { deviceMapper: boolean }; poolTypes: { type: string; operations: string[]; unavailable: { operation: string; code: string }[] }[] };
  const logical = c.poolTypes.find((p) => p.type === 'logical');
  t.ok(logical, 'logical pools are offered');
  if (c.host.deviceMapper) {
    t.ok(logical?.operations.includes('vol.snapshot'), 'with device-mapper, snapshots are offered');
  } else {
    t.notOk(logical?.operations.includes('vol.snapshot'), 'without device-mapper, no snapshots');
    t.equal(logical?.unavailable.find((u) => u.operation === 'vol.snapshot')?.code, 'UNSUPPORTED');
    t.ok(logical?.operations.includes('vol.create') && logical.operations.includes('vol.resize'), 'what LVM can do without activation is still offered');
  }
  t.ok(c.poolTypes.find((p) => p.type === 'dir')?.operations.includes('vol.create'), 'dir pools are fully offered');
});
