// The logical pool on a real kernel (device-mapper, dm-thin), run inside the lab guest (from
// main.ts). Every step records what it saw for the host's test (test/lab/lab.test.ts) to judge.
import { existsSync } from 'node:fs';
import type { GuestAgent } from './agent.js';
import { lvsRows, readDevice, seededBytes, sh, sha256, writeDevice } from './devices.js';
import type { Recorder } from './steps.js';

const MiB = 1024 * 1024;

export async function logicalSession(agent: GuestAgent, rec: Recorder, device: string): Promise<void> {
  const VG = 'vg1';
  const dev = (lv: string) => `/dev/${VG}/${lv}`;
  const names = async () => (await lvsRows(VG)).map((r) => r['lv_name']);
  const row = async (lv: string) => (await lvsRows(VG)).find((r) => r['lv_name'] === lv);
  const ref = (vol: string) => ({ pool: VG, vol });

  await rec.step('capabilities', async () => ({ caps: await agent.ok('agent.capabilities') }));

  await rec.step('pool-start', async () => {
    await agent.ok('pool.define', { name: VG, type: 'logical', source: { name: VG, devices: [{ path: device }] } });
    await agent.ok('pool.build', { pool: VG });
    const start = await agent.call('pool.start', { pool: VG });
    return { start, info: await agent.ok('pool.get', { name: VG }) };
  });

  await rec.step('linear-create', async () => {
    const reply = await agent.call('vol.create', { pool: VG, name: 'lv1', capacity: 32 * MiB });
    return { reply, lv: await row('lv1'), node: existsSync(dev('lv1')) };
  });

  const lv2Data = seededBytes(2, 32 * MiB);
  await rec.step('fill-lv2', async () => {
    const reply = await agent.call('vol.create', { pool: VG, name: 'lv2', capacity: 32 * MiB });
    writeDevice(dev('lv2'), lv2Data);
    return { reply, expected: sha256(lv2Data), read: readDevice(dev('lv2'), 32 * MiB).sha256 };
  });

  // allocation < capacity alone: a new thin pool of `allocation` bytes with the volume in it.
  await rec.step('sparse-create', async () => {
    const reply = await agent.call('vol.create', { pool: VG, name: 'thin1', capacity: 256 * MiB, allocation: 32 * MiB });
    const thin1 = seededBytes(3, 8 * MiB);
    writeDevice(dev('thin1'), thin1);
    return { reply, rows: await lvsRows(VG), thinData: sha256(thin1), thinRead: readDevice(dev('thin1'), 8 * MiB).sha256 };
  });

  // Issue 17's scenario: the VG now has a thin pool; a copy nobody asked to make thin.
  await rec.step('copy-linear', async () => {
    const t0 = Date.now();
    const reply = await agent.call('vol.copy', { pool: VG, name: 'lv2copy', from: ref('lv2') });
    const ms = Date.now() - t0;
    return { reply, ms, lv: await row('lv2copy'), expected: sha256(lv2Data), read: existsSync(dev('lv2copy')) ? readDevice(dev('lv2copy'), 32 * MiB).sha256 : null };
  });

  const lv3Data = seededBytes(4, 8 * MiB);
  await rec.step('copy-thin-fits', async () => {
    await agent.ok('vol.create', { pool: VG, name: 'lv3', capacity: 8 * MiB });
    writeDevice(dev('lv3'), lv3Data);
    const reply = await agent.call('vol.copy', { pool: VG, name: 'lv3thin', from: ref('lv3'), thinPool: 'thinpool' });
    return { reply, lv: await row('lv3thin'), expected: sha256(lv3Data), read: existsSync(dev('lv3thin')) ? readDevice(dev('lv3thin'), 8 * MiB).sha256 : null };
  });

  // Thin asked for, and it cannot fit: refused before anything is written.
  await rec.step('copy-thin-no-space', async () => {
    const t0 = Date.now();
    const reply = await agent.call('vol.copy', { pool: VG, name: 'lv2thin', from: ref('lv2'), thinPool: 'thinpool' });
    return { reply, ms: Date.now() - t0, names: await names(), pool: await row('thinpool') };
  });

  // Overcommit asked for: written, found short, removed, answered as an error with the pool's state.
  await rec.step('copy-thin-overcommit', async () => {
    const t0 = Date.now();
    const reply = await agent.call('vol.copy', { pool: VG, name: 'lv2over', from: ref('lv2'), thinPool: 'thinpool', overcommit: true });
    const ms = Date.now() - t0;
    return { reply, ms, names: await names(), pool: await row('thinpool'), dmStatus: await sh(['dmsetup', 'status']) };
  });

  await rec.step('snapshot', async () => {
    const snap = await agent.call('vol.snapshot', { pool: VG, name: 'snap1', from: ref('lv1') });
    const originDelete = await agent.call('vol.delete', { volume: ref('lv1') });
    const snapDelete = await agent.call('vol.delete', { volume: ref('snap1') });
    const originDeleteAfter = await agent.call('vol.delete', { volume: ref('lv1') });
    return { snap, originDelete, snapDelete, originDeleteAfter, names: await names() };
  });

  await rec.step('wipe', async () => {
    const reply = await agent.call('vol.wipe', { volume: ref('lv2copy') });
    return { reply, check: readDevice(dev('lv2copy'), 32 * MiB) };
  });

  await rec.step('resize', async () => {
    const grow = await agent.call('vol.resize', { volume: ref('lv2copy'), capacity: 48 * MiB });
    const grown = (await row('lv2copy'))?.['lv_size'];
    const shrinkUnasked = await agent.call('vol.resize', { volume: ref('lv2copy'), capacity: 16 * MiB });
    const shrink = await agent.call('vol.resize', { volume: ref('lv2copy'), capacity: 16 * MiB, shrink: true });
    return { grow, grown, shrinkUnasked, shrink, shrunk: (await row('lv2copy'))?.['lv_size'] };
  });

  await rec.step('list', async () => ({ list: await agent.ok('vol.list', { pool: VG }), info: await agent.ok('pool.get', { name: VG }) }));

  await rec.step('stop-start', async () => {
    const stop = await agent.call('pool.stop', { pool: VG });
    const afterStop = { node: existsSync(dev('lv2copy')), mapper: await sh(['dmsetup', 'ls']) };
    const start = await agent.call('pool.start', { pool: VG });
    const afterStart = { node: existsSync(dev('lv2copy')), mapper: await sh(['dmsetup', 'ls']) };
    return { stop, afterStop, start, afterStart };
  });
}
