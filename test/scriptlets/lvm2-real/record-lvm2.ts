// Records the logical backend's goldens from this machine's real lvm2 with the agent's record
// mode: `npm run build && node dist/test/scriptlets/lvm2-real/record-lvm2.js [OUT]` (OUT
// defaults to golden/). Not a test: run it as root when a scriptlet changes or lvm2 changes.
//
// The scenario mirrors shared/recordings' lvm2 sequence: /dev/loop0 over 100 MiB and /dev/loop1
// over 60 MiB when those are free, VG vgrec. lvm2 reads a private lvm.conf (devices filter on
// these two devices only, own backup/archive dirs): the agent runs tools with a clean
// environment, so the test puts wrappers that set LVM_SYSTEM_DIR first on the tool path
// (STORAGE_AGENT_TOOL_PATH). The recorded argv are the scriptlets' own.
import { execa } from 'execa';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRuntime } from '../../../runner/runtime.js';
import { createService, detachedCall } from '../../../runner/service/context.js';
import { dispatch } from '../../../runner/service/dispatch.js';
import { GOLDEN_DIR } from '../../helpers/paths.js';
import { lvmUnavailable, makeLvmEnv } from './lvm-env.js';

const why = lvmUnavailable();
if (why) throw new Error(`cannot record lvm2 goldens here: ${why}`);
const out = process.argv[2] ?? GOLDEN_DIR;
const env = await makeLvmEnv({ sizesMiB: [100, 60], vg: 'vgrec', prefer: ['/dev/loop0', '/dev/loop1'] });
const rt = await createRuntime({ home: join(env.dir, 'home'), recordDir: out, toolPath: env.toolPath });
const svc = createService(rt);
const MiB = 1024 * 1024;
const written: string[] = [];

async function step(name: string, method: string, params: object, expect: 'ok' | string = 'ok', record: string | null = method) {
  process.env['STORAGE_AGENT_RECORD_CASE'] = name;
  process.env['STORAGE_AGENT_RECORD_OPS'] = record ?? 'none';
  const before = new Set(readdirSync(out, { recursive: true }) as string[]);
  const r = await dispatch(svc, detachedCall(), method, params);
  const got = r.ok ? 'ok' : r.error.code;
  if (got !== expect) throw new Error(`${name} ${method}: expected ${expect}, got ${got}${r.ok ? '' : `: ${r.error.message}`}`);
  for (const f of readdirSync(out, { recursive: true }) as string[]) if (!before.has(f) && f.startsWith('lvm2-') && f.endsWith('.json')) written.push(f);
  process.stdout.write(`${name} ${method}: ${got}\n`);
  return r;
}

const P = 'recpool';
try {
  await step('xml', 'pool.define', {
    xml: `<pool type='logical'><name>${P}</name><source>${env.devices.map((d) => `<device path='${d}'/>`).join('')}<name>${env.vg}</name><format type='lvm2'/></source><target><path>/dev/${env.vg}</path></target></pool>`
  }, 'ok', null);
  await step('blank', 'pool.build', { pool: P });
  await step('built', 'pool.build', { pool: P }, 'ALREADY_BUILT');
  await step('vg-is-busy', 'pool.build', { pool: P, overwrite: true }, 'POOL_BUSY');
  await step('no-device-mapper', 'pool.start', { pool: P });
  await step('vg', 'pool.refresh', { pool: P });
  await step('vg', 'pool.findSources', { type: 'logical' });
  await step('linear', 'vol.create', { pool: P, name: 'lvdata', capacity: 40 * MiB });
  await step('linear-spanning-two-pvs', 'vol.create', { pool: P, name: 'lvspan', capacity: 100 * MiB });
  await step('no-space', 'vol.create', { pool: P, name: 'lvbig', capacity: 1024 * MiB }, 'NO_SPACE');
  await step('name-taken', 'vol.create', { pool: P, name: 'lvdata', capacity: 4 * MiB }, 'VOLUME_EXISTS');
  await step('sparse-no-device-mapper', 'vol.create', { pool: P, name: 'lvthin', capacity: 64 * MiB, allocation: 0 }, 'UNSUPPORTED');
  await step('two-lvs', 'vol.list', { pool: P });
  await step('by-name', 'vol.get', { pool: P, vol: 'lvspan' });
  await step('missing', 'vol.get', { pool: P, vol: 'lvnope' }, 'NO_VOLUME');
  await step('grow', 'vol.resize', { volume: { pool: P, vol: 'lvdata' }, capacity: 48 * MiB });
  await step('shrink', 'vol.resize', { volume: { pool: P, vol: 'lvdata' }, capacity: 20 * MiB, shrink: true });
  await step('grow-no-space', 'vol.resize', { volume: { pool: P, vol: 'lvdata' }, capacity: 20 * MiB + 1024 * MiB }, 'NO_SPACE');
  await step('no-device-mapper', 'vol.snapshot', { pool: P, name: 'snap', from: { pool: P, vol: 'lvdata' } }, 'UNSUPPORTED');
  await step('no-device-mapper', 'vol.copy', { pool: P, name: 'copy', from: { pool: P, vol: 'lvdata' } }, 'UNSUPPORTED');
  await step('no-device-mapper', 'vol.wipe', { volume: { pool: P, vol: 'lvdata' } }, 'UNSUPPORTED');
  await step('no-device-mapper', 'pool.stop', { pool: P });
  await step('vg-has-volumes', 'pool.delete', { pool: P }, 'POOL_BUSY');
  await step('again', 'pool.start', { pool: P }, 'ok', null);
  await step('linear', 'vol.delete', { volume: { pool: P, vol: 'lvspan' } });
  await step('last', 'vol.delete', { volume: { pool: P, vol: 'lvdata' } }, 'ok', null);
  await step('empty-vg', 'vol.list', { pool: P });
  await step('done', 'pool.stop', { pool: P }, 'ok', null);
  await step('empty-vg', 'pool.delete', { pool: P });
  await step('orphans-gone', 'pool.findSources', { type: 'logical' });
  // A file system on one device is data: ALREADY_BUILT, and overwrite wipes it.
  await execa('mkfs.ext4', ['-q', '-F', env.devices[1] as string]);
  await step('ext4', 'pool.build', { pool: P }, 'ALREADY_BUILT');
  await step('overwrite-ext4', 'pool.build', { pool: P, overwrite: true });
  await step('overwritten', 'pool.delete', { pool: P }, 'ok', null);
  await step('xml', 'pool.undefine', { pool: P }, 'ok', null);
  // Say where lvm2 read its configuration from, in each golden written.
  const how = ` lvm2 read a private lvm.conf (LVM_SYSTEM_DIR set by test wrappers on STORAGE_AGENT_TOOL_PATH: devices filter on ${env.devices.join(' and ')} only); loop devices over sparse files of 100 and 60 MiB; this kernel has no device-mapper, so the scriptlets passed --config global{activation=0} (test/scriptlets/lvm2-real/record-lvm2.ts).`;
  for (const f of written) {
    const p = join(out, f);
    const g = JSON.parse(readFileSync(p, 'utf8')) as { source: string };
    if (!g.source.includes('LVM_SYSTEM_DIR')) g.source += how;
    writeFileSync(p, `${JSON.stringify(g, null, 2)}\n`);
  }
  process.stdout.write(`${written.length} goldens: ${written.join(', ')}\n`);
} finally {
  rt.sandbox.close();
  await env.teardown();
}
