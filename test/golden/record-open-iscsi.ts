// Records the iscsi (open-iscsi) goldens from the real iscsiadm of this host against a private
// tgtd: `npm run build && node dist/test/golden/record-open-iscsi.js [OUT]`. This host has no
// kernel initiator (no iscsi_tcp, no iscsid), so what is recorded is how iscsiadm fails here:
// discovery (exit 12), login (exit 20, the node record removed again), the session listing with
// no session (exit 21), logout with no session. Login with a LUN to list needs the kernel lab.
// The pool is marked running in the store after the refused start, to record the listing.
// iscsiadm creates /etc/iscsi/nodes and /etc/iscsi/ifaces; those it made here are removed if empty.
import { existsSync, mkdirSync, mkdtempSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRuntime } from '../../runner/runtime.js';
import { createService, detachedCall } from '../../runner/service/context.js';
import { dispatch } from '../../runner/service/dispatch.js';
import { GOLDEN_DIR } from '../helpers/paths.js';
import { startTgtd } from '../iscsi/tgtd.js';

const out = process.argv[2] ?? GOLDEN_DIR;
const hostDirs = ['/etc/iscsi/nodes', '/etc/iscsi/ifaces', '/etc/iscsi/send_targets'].filter((d) => !existsSync(d));
const work = mkdtempSync(join(tmpdir(), 'sa-record-'));
const home = join(work, 'home');
mkdirSync(join(home, 'secrets'), { recursive: true });
writeFileSync(join(home, 'secrets', 'tgtd-chap'), 'tgtd-chap-0123\n', { mode: 0o600 });
const tgt = await startTgtd({ lunsMiB: [8], chap: { user: 'agent', password: 'tgtd-chap-0123' }, iqn: 'iqn.2026-12.test.storage-agent:pool' });
const rt = await createRuntime({ home, recordDir: out });
const svc = createService(rt);

async function step(name: string, method: string, params: object, expect: 'ok' | string = 'ok', ops: string = method) {
  process.env['STORAGE_AGENT_RECORD_CASE'] = name;
  process.env['STORAGE_AGENT_RECORD_OPS'] = ops;
  const r = await dispatch(svc, detachedCall(), method, params);
  const got = r.ok ? 'ok' : r.error.code;
  if (got !== expect) throw new Error(`${name}: expected ${expect}, got ${got}${r.ok ? '' : `: ${r.error.message}`}`);
  process.stdout.write(`${name} ${method}: ${got}${r.ok ? '' : ` (${r.error.message})`}\n`);
}

try {
  await step('no-initiator', 'pool.findSources', { type: 'iscsi', host: '127.0.0.1', port: tgt.port }, 'UNSUPPORTED');
  const source = { hosts: [{ name: '127.0.0.1', port: tgt.port }], devices: [{ path: tgt.iqn }], auth: { type: 'chap', username: 'agent', secret: { usage: 'tgtd-chap' } } };
  await step('chap', 'pool.define', { name: 'rec', type: 'iscsi', source, target: { path: '/dev/disk/by-path' } }, 'ok', 'none');
  await step('no-iscsid', 'pool.start', { pool: 'rec' }, 'TOOL_FAILED');
  svc.store.saveState('rec', { state: 'running', autostart: false });
  await step('no-session', 'vol.list', { pool: 'rec' });
  await step('no-session', 'vol.get', { pool: 'rec', vol: 'unit:0:0:1' }, 'NO_VOLUME');
  await step('no-session', 'pool.get', { name: 'rec' }, 'ok', 'pool.refresh');
  await step('no-session', 'pool.stop', { pool: 'rec' });
} finally {
  rt.sandbox.close();
  await tgt.stop();
  rmSync(work, { recursive: true, force: true });
  for (const d of hostDirs.reverse()) {
    try {
      rmdirSync(d);
    } catch {
      // not empty or not made: left as it is
    }
  }
}
