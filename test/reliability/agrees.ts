// What one agent process says about a dir pool, against what is on disk now: `qemu-img info`
// and lstat for each volume, the directory for the list, statfs for the pool's sizes. Used by the
// race suite's A/B part (issue 18): agent B must never answer from what it knew before agent A
// changed the pool.
import { lstatSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { codeOf, qemuInfo, volumeFiles, type Agent } from './kill-agent.js';

interface VolAnswer {
  name: string;
  format: string;
  capacity: number;
  allocation: number;
  physical?: number;
}

/** The volume as the file system and qemu-img see it, or null when there is no file. */
function onDisk(dir: string, name: string): VolAnswer | null {
  const path = join(dir, name);
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return null;
  }
  const info = qemuInfo(path);
  if (!info) return { name, format: '(unreadable)', capacity: -1, allocation: -1 };
  return { name, format: info.format, capacity: info['virtual-size'], allocation: st.blocks * 512, physical: st.size };
}

const same = (a: VolAnswer, b: VolAnswer) => a.format === b.format && a.capacity === b.capacity && a.allocation === b.allocation && (a.physical === undefined || a.physical === b.physical);
const show = (v: VolAnswer | null) => (v ? `${v.format}/${v.capacity} alloc ${v.allocation}${v.physical !== undefined ? ` size ${v.physical}` : ''}` : 'absent');

/**
 * Disagreements between agent `b` and the disk for volume `name` of pool `pool` (directory
 * `dir`): vol.get, vol.dumpXml, vol.list, and, when `sizesExact` (nothing but the pool is on the
 * pool's file system), pool.get's capacity/allocation/available against statfs.
 */
export async function disagreements(b: Agent, pool: string, dir: string, name: string, sizesExact: boolean): Promise<string[]> {
  const out: string[] = [];
  // Read once per check (one qemu-img per file): nothing changes the pool meanwhile.
  const seen = new Map<string, VolAnswer | null>();
  const disk = (n: string) => {
    if (!seen.has(n)) seen.set(n, onDisk(dir, n));
    return seen.get(n) ?? null;
  };
  const want = disk(name);
  const g = await b.call('vol.get', { pool, vol: name });
  if (!want) {
    if (codeOf(g) !== 'NO_VOLUME') out.push(`vol.get ${name}: ${codeOf(g)} ${show(g.result as unknown as VolAnswer)}, the file is absent`);
  } else if (codeOf(g) !== 'ok' || !same(g.result as unknown as VolAnswer, want)) {
    out.push(`vol.get ${name}: ${codeOf(g)} ${codeOf(g) === 'ok' ? show(g.result as unknown as VolAnswer) : ''}, on disk ${show(want)}`);
  }
  const x = await b.call('vol.dumpXml', { volume: { pool, vol: name } });
  if (!want) {
    if (codeOf(x) !== 'NO_VOLUME') out.push(`vol.dumpXml ${name}: ${codeOf(x)}, the file is absent`);
  } else {
    const xml = String(x.result?.['xml'] ?? '');
    if (!xml.includes(`<capacity unit='bytes'>${want.capacity}</capacity>`) || !xml.includes(`<format type='${want.format}'/>`)) out.push(`vol.dumpXml ${name}: ${codeOf(x)} does not say ${show(want)}: ${xml.slice(0, 400)}`);
  }
  const l = await b.call('vol.list', { pool });
  const files = volumeFiles(dir);
  const listed = ((l.result?.['volumes'] ?? []) as VolAnswer[]);
  const names = listed.map((v) => v.name).sort();
  if (codeOf(l) !== 'ok' || JSON.stringify(names) !== JSON.stringify(files)) out.push(`vol.list: ${codeOf(l)} ${JSON.stringify(names)}, the directory holds ${JSON.stringify(files)}`);
  for (const v of listed) {
    const d = disk(v.name);
    if (!d || !same(v, d)) out.push(`vol.list: ${v.name} as ${show(v)}, on disk ${show(d)}`);
  }
  if (sizesExact) {
    const p = await b.call('pool.get', { name: pool });
    const s = statfsSync(dir);
    const sizes = { capacity: s.blocks * s.bsize, allocation: (s.blocks - s.bfree) * s.bsize, available: s.bavail * s.bsize };
    const got = { capacity: p.result?.['capacity'], allocation: p.result?.['allocation'], available: p.result?.['available'] };
    if (JSON.stringify(got) !== JSON.stringify(sizes)) out.push(`pool.get ${pool}: ${JSON.stringify(got)}, statfs ${JSON.stringify(sizes)}`);
  }
  return out;
}
