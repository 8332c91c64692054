// Records the dir backend's goldens from the real tools of this machine (qemu-img and the
// runner's file API): `npm run build && node dist/test/golden/record-dir.js [OUT]` (OUT defaults
// to golden/). Not a test: run it when a scriptlet changes or a new tool version arrives.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createRuntime } from '../../runner/runtime.js';
import { createService, detachedCall } from '../../runner/service/context.js';
import { dispatch } from '../../runner/service/dispatch.js';
import { GOLDEN_DIR } from '../helpers/paths.js';

const out = process.argv[2] ?? GOLDEN_DIR;
const work = mkdtempSync(join(tmpdir(), 'sa-record-'));
const rt = await createRuntime({ home: join(work, 'home'), recordDir: out });
const svc = createService(rt);
const pool = join(work, 'pool');

async function step(name: string, method: string, params: object, expect: 'ok' | string | readonly string[] = 'ok', record = true) {
  process.env['STORAGE_AGENT_RECORD_CASE'] = name;
  // The method's own operation is recorded (vol.* methods look volumes up with vol.get first).
  process.env['STORAGE_AGENT_RECORD_OPS'] = method === 'vol.list' || method === 'vol.get' || method.startsWith('pool.') ? `${method},pool.refresh` : method;
  if (!record) process.env['STORAGE_AGENT_RECORD_OPS'] = 'none';
  const r = await dispatch(svc, detachedCall(), method, params);
  const got = r.ok ? 'ok' : r.error.code;
  if (typeof expect === 'string' ? got !== expect : !expect.includes(got)) throw new Error(`${name}: expected ${expect}, got ${got}${r.ok ? '' : `: ${r.error.message}`}`);
  process.stdout.write(`${name}: ${got}\n`);
}

try {
  await step('dir', 'pool.define', { name: 'rec', type: 'dir', target: { path: pool } });
  await step('dir', 'pool.start', { pool: 'rec' }, 'INVALID_ARGUMENT');
  await step('dir', 'pool.build', { pool: 'rec' });
  await step('dir', 'pool.start', { pool: 'rec' });
  await step('raw', 'vol.create', { pool: 'rec', name: 'disk.raw', capacity: 8 * 1024 * 1024 });
  await step('raw-allocated', 'vol.create', { pool: 'rec', name: 'full.raw', capacity: 1024 * 1024, allocation: 1024 * 1024 });
  await step('exists', 'vol.create', { pool: 'rec', name: 'disk.raw', capacity: 1024 }, 'VOLUME_EXISTS');
  await step('qcow2', 'vol.create', { pool: 'rec', name: 'base.qcow2', capacity: 16 * 1024 * 1024, format: 'qcow2' });
  await step('qcow2-backing', 'vol.create', { pool: 'rec', name: 'child.qcow2', capacity: 0, format: 'qcow2', backingVol: 'base.qcow2' });
  await step('snapshot', 'vol.snapshot', { pool: 'rec', name: 'snap.qcow2', from: { pool: 'rec', vol: 'disk.raw' } });
  await step('copy-convert', 'vol.copy', { pool: 'rec', name: 'copy.qcow2', from: { pool: 'rec', vol: 'disk.raw' }, format: 'qcow2' });
  await step('copy-sparse', 'vol.copy', { pool: 'rec', name: 'copy.raw', from: { pool: 'rec', vol: 'base.qcow2' }, format: 'raw' });
  await step('grow', 'vol.resize', { volume: { pool: 'rec', vol: 'disk.raw' }, capacity: 16 * 1024 * 1024 });
  await step('shrink', 'vol.resize', { volume: { pool: 'rec', vol: 'copy.qcow2' }, capacity: 4 * 1024 * 1024, shrink: true });
  await step('wipe-raw', 'vol.wipe', { volume: { pool: 'rec', vol: 'full.raw' } });
  await step('wipe-qcow2', 'vol.wipe', { volume: { pool: 'rec', vol: 'base.qcow2' } });
  // Volume XML as libvirt's corpus writes it (shared/peer/libvirt storagevolxml2xmlin/vol-qcow2-*).
  const xml = (name: string, target: string, extra = '') => `<volume><name>${name}</name><capacity unit='M'>16</capacity>${extra}<target><format type='qcow2'/>${target}</target></volume>`;
  await step('qcow2-lazy', 'vol.create', { pool: 'rec', xml: xml('lazy.qcow2', '<compat>1.1</compat><features><lazy_refcounts/></features>') });
  await step('qcow2-compat-0.10', 'vol.create', { pool: 'rec', xml: xml('v2.qcow2', '<compat>0.10</compat>') });
  await step('qcow2-lazy-0.10', 'vol.create', { pool: 'rec', xml: xml('bad.qcow2', '<compat>0.10</compat><features><lazy_refcounts/></features>') }, 'INVALID_ARGUMENT');
  // extended_l2 is declared by the 6.1 series only (QEMU 5.2 added it; the 2.11 series spans 2.11-6.0).
  await step('qcow2-cluster', 'vol.create', { pool: 'rec', xml: xml('cluster.qcow2', "<clusterSize unit='KiB'>128</clusterSize><features><extended_l2/></features>") }, ['ok', 'UNSUPPORTED']);
  await step('qcow2-nocow', 'vol.create', { pool: 'rec', xml: xml('nocow.qcow2', '<nocow/>') });
  await step('qcow2-prealloc-metadata', 'vol.create', { pool: 'rec', name: 'prealloc.qcow2', capacity: 16 * 1024 * 1024, allocation: 4 * 1024 * 1024, format: 'qcow2', preallocateMetadata: true });
  await step('qcow2-prealloc-backing', 'vol.create', { pool: 'rec', name: 'pb.qcow2', capacity: 0, format: 'qcow2', backingVol: 'base.qcow2', preallocate: 'metadata' }, 'INVALID_ARGUMENT');
  await step('raw-permissions', 'vol.create', { pool: 'rec', xml: "<volume><name>perm.raw</name><capacity unit='M'>1</capacity><allocation>0</allocation><target><permissions><mode>0640</mode><owner>107</owner><group>107</group></permissions></target></volume>" });
  await step('list', 'vol.list', { pool: 'rec' });
  await step('missing', 'vol.get', { pool: 'rec', vol: 'nope' }, 'NO_VOLUME');
  for (const [i, v] of ['child.qcow2', 'disk.raw', 'snap.qcow2', 'copy.qcow2', 'copy.raw', 'full.raw', 'base.qcow2', 'lazy.qcow2', 'v2.qcow2', 'nocow.qcow2', 'prealloc.qcow2', 'perm.raw'].entries()) {
    await step('delete', 'vol.delete', { volume: { pool: 'rec', vol: v } }, 'ok', i < 2);
  }
  await step('delete', 'vol.delete', { volume: { pool: 'rec', vol: 'cluster.qcow2' } }, ['ok', 'NO_VOLUME'], false);
  await step('dir', 'pool.stop', { pool: 'rec' });
  await step('dir', 'pool.delete', { pool: 'rec' });
} finally {
  rt.sandbox.close();
  rmSync(work, { recursive: true, force: true });
}
