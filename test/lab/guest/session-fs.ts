// fs pools on real block devices in the lab guest (virtio disks, no udev): ext4 and xfs built,
// mounted, used and unmounted through the agent.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GuestAgent } from './agent.js';
import { seededBytes, sh, sha256 } from './devices.js';
import type { Recorder } from './steps.js';

const MiB = 1024 * 1024;

/** The mount at `target` as /proc/self/mounts shows it, or null. */
export function mountAt(target: string): { source: string; fstype: string; options: string } | null {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [source, mp, fstype, options] = line.split(' ');
    if (mp === target && source && fstype && options) return { source, fstype, options };
  }
  return null;
}

/** Create, fill, copy, compare and delete a file volume in a running pool mounted at `target`. */
export async function useFilePool(agent: GuestAgent, pool: string, target: string, seed: number): Promise<Record<string, unknown>> {
  const create = await agent.call('vol.create', { pool, name: 'a.raw', capacity: 4 * MiB, allocation: 4 * MiB });
  const data = seededBytes(seed, 4 * MiB);
  if (existsSync(join(target, 'a.raw'))) writeFileSync(join(target, 'a.raw'), data);
  const copy = await agent.call('vol.copy', { pool, name: 'b.qcow2', from: { pool, vol: 'a.raw' }, format: 'qcow2' });
  const back = await agent.call('vol.copy', { pool, name: 'c.raw', from: { pool, vol: 'b.qcow2' }, format: 'raw' });
  const cHash = existsSync(join(target, 'c.raw')) ? sha256(readFileSync(join(target, 'c.raw'))) : null;
  const list = await agent.call('vol.list', { pool });
  const deletes = [];
  for (const vol of ['a.raw', 'b.qcow2', 'c.raw']) deletes.push(await agent.call('vol.delete', { volume: { pool, vol } }));
  const listAfter = await agent.call('vol.list', { pool });
  return { create, copy, back, expected: sha256(data), cHash, list, deletes, listAfter };
}

export async function fsSession(agent: GuestAgent, rec: Recorder, devices: string[]): Promise<void> {
  const formats = ['ext4', 'xfs'];
  for (const [i, format] of formats.entries()) {
    const device = devices[i];
    if (!device) continue;
    const pool = `fs-${format}`;
    const target = `/mnt/${pool}`;
    await rec.step(`fs-${format}`, async () => {
      await agent.ok('pool.define', { name: pool, type: 'fs', source: { devices: [{ path: device }], format }, target: { path: target } });
      const build = await agent.call('pool.build', { pool });
      const blkid = await sh(['blkid', '-p', '-o', 'export', device]).catch((e: Error) => e.message);
      const start = await agent.call('pool.start', { pool });
      const mounted = mountAt(target);
      const used = await useFilePool(agent, pool, target, 30 + i);
      const stop = await agent.call('pool.stop', { pool });
      return { build, blkid, start, mounted, used, stop, mountedAfterStop: mountAt(target) };
    });
  }
}
