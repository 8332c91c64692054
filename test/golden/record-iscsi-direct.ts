// Records the iscsi-direct goldens from the real libiscsi (and qemu-img for the wipe) against a
// private tgtd (test/iscsi/tgtd.ts): `npm run build && node dist/test/golden/record-iscsi-direct.js
// [OUT]` (OUT defaults to golden/). The CHAP password is a test value and is recorded as given.
// Not a test: run it when a libiscsi scriptlet changes or a new libiscsi release arrives.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRuntime } from '../../runner/runtime.js';
import { createService, detachedCall } from '../../runner/service/context.js';
import { dispatch } from '../../runner/service/dispatch.js';
import { GOLDEN_DIR } from '../helpers/paths.js';
import { startTgtd } from '../iscsi/tgtd.js';

const out = process.argv[2] ?? GOLDEN_DIR;
const INITIATOR = 'iqn.2026-12.test.storage-agent:initiator';
const work = mkdtempSync(join(tmpdir(), 'sa-record-'));
const home = join(work, 'home');
mkdirSync(join(home, 'secrets'), { recursive: true });
writeFileSync(join(home, 'secrets', 'tgtd-chap'), 'tgtd-chap-0123\n', { mode: 0o600 });
const tgt = await startTgtd({ lunsMiB: [8, 4], chap: { user: 'agent', password: 'tgtd-chap-0123' }, initiator: INITIATOR, iqn: 'iqn.2026-12.test.storage-agent:pool' });
const rt = await createRuntime({ home, recordDir: out });
const svc = createService(rt);

async function step(name: string, method: string, params: object, expect: 'ok' | string = 'ok', record = true) {
  process.env['STORAGE_AGENT_RECORD_CASE'] = name;
  process.env['STORAGE_AGENT_RECORD_OPS'] = record ? method : 'none';
  const r = await dispatch(svc, detachedCall(), method, params);
  const got = r.ok ? 'ok' : r.error.code;
  if (got !== expect) throw new Error(`${name}: expected ${expect}, got ${got}${r.ok ? '' : `: ${r.error.message}`}`);
  process.stdout.write(`${name} ${method}: ${got}\n`);
}

const source = (auth: boolean, iqn = tgt.iqn) => ({
  hosts: [{ name: '127.0.0.1', port: tgt.port }],
  devices: [{ path: iqn }],
  initiator: INITIATOR,
  ...(auth ? { auth: { type: 'chap', username: 'agent', secret: { usage: 'tgtd-chap' } } } : {})
});

try {
  await step('tgtd', 'pool.findSources', { type: 'iscsi-direct', host: '127.0.0.1', port: tgt.port, initiator: INITIATOR });
  await step('no-portal', 'pool.findSources', { type: 'iscsi-direct', host: '127.0.0.1', port: 1 }, 'TOOL_FAILED');
  await step('chap', 'pool.define', { name: 'rec', type: 'iscsi-direct', source: source(true) }, 'ok', false);
  await step('chap', 'pool.start', { pool: 'rec' });
  await step('chap', 'vol.list', { pool: 'rec' });
  await step('chap', 'vol.get', { pool: 'rec', vol: 'unit:0:0:2' });
  await step('controller-lun', 'vol.get', { pool: 'rec', vol: 'unit:0:0:0' }, 'NO_VOLUME');
  await step('chap', 'vol.wipe', { volume: { pool: 'rec', vol: 'unit:0:0:2' } });
  await step('chap', 'pool.refresh', { pool: 'rec' }, 'ok', true);
  await step('chap', 'pool.stop', { pool: 'rec' });
  await step('no-chap', 'pool.define', { name: 'nochap', type: 'iscsi-direct', source: source(false) }, 'ok', false);
  await step('no-chap', 'pool.start', { pool: 'nochap' }, 'PERMISSION_DENIED');
  writeFileSync(join(home, 'secrets', 'tgtd-chap'), 'wrong-secret-99\n', { mode: 0o600 });
  await step('wrong-chap', 'pool.start', { pool: 'rec' }, 'PERMISSION_DENIED');
  await step('wrong-iqn', 'pool.define', { name: 'wrongiqn', type: 'iscsi-direct', source: source(false, `${tgt.iqn}-nope`) }, 'ok', false);
  await step('wrong-iqn', 'pool.start', { pool: 'wrongiqn' }, 'INVALID_ARGUMENT');
} finally {
  rt.sandbox.close();
  await tgt.stop();
  rmSync(work, { recursive: true, force: true });
}
