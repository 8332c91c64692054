// Pure: a file in a pool's target directory as a libvirt volume.
import type { FileStat, PoolFs, FsResult } from '../../runner/scriptlet/api.js';
import type { Volume } from '../../runner/contracts/generated.js';
import { decodeBase64, readHeader, qcow2BackingFormat, backingName } from './image-header.js';

export const joinPath = (root: string, name: string) => `${root.replace(/\/+$/, '')}/${name}`;

/** What a file entry looks like as a volume, before any backing-file lookup. */
export function volumeFromStat(root: string, st: FileStat): Volume | null {
  const path = joinPath(root, st.name);
  if (st.type === 'dir') {
    return { name: st.name, key: path, path, type: 'dir', capacity: st.size, allocation: st.allocated, format: 'dir', permissions: permissionsOf(st) };
  }
  // Symlinks are not followed (one could point outside the pool); devices and sockets are not volumes.
  if (st.type !== 'file') return null;
  const h = readHeader(decodeBase64(st.header));
  const vol: Volume = {
    name: st.name,
    key: path,
    path,
    type: 'file',
    capacity: h.capacity ?? st.size,
    allocation: st.allocated,
    physical: st.size,
    format: h.format
  };
  if (h.format === 'luks') {
    vol.encryption = { format: 'luks' };
    // The guest sees what follows the LUKS header.
    if (h.luksPayload !== undefined && h.luksPayload <= st.size) vol.capacity = st.size - h.luksPayload;
  }
  if (h.qcow2) {
    vol.compat = h.qcow2.compat;
    if (h.qcow2.clusterSize) vol.clusterSize = h.qcow2.clusterSize;
    if (h.qcow2.features?.length) vol.features = h.qcow2.features;
    if (h.qcow2.luks) vol.encryption = { format: 'luks' };
  }
  vol.permissions = permissionsOf(st);
  return vol;
}

/** As libvirt's vol-dumpxml: the entry's mode (4 octal digits), owner and group. */
function permissionsOf(st: FileStat): NonNullable<Volume['permissions']> {
  return { mode: st.mode.toString(8).padStart(4, '0'), owner: st.uid, group: st.gid };
}

/** Does this file's header name a backing file that must be read to describe it? */
export function backingToRead(st: FileStat): { offset: number; length: number } | null {
  if (st.type !== 'file') return null;
  const h = readHeader(decodeBase64(st.header));
  if (!h.backing || h.backing.length > 4096 || h.backing.offset + h.backing.length > 65536) return null;
  return h.backing;
}

/** Resolve a backing name the way qemu does: relative names are relative to the image's directory. */
export function resolveBacking(root: string, name: string): string {
  return name.startsWith('/') || /^[a-z]+:/.test(name) ? name : joinPath(root, name);
}

/** The full volume: header facts plus backing store (read from the file through ctx.fs). */
export async function describeFile(fs: PoolFs, st: FileStat): Promise<FsResult<Volume | null>> {
  const vol = volumeFromStat(fs.root, st);
  if (!vol) return { ok: true, value: null };
  const b = backingToRead(st);
  if (b) {
    const r = await fs.readBytes(st.name, 0, b.offset + b.length);
    if (!r.ok) return r;
    const bytes = decodeBase64(r.value);
    const name = backingName(bytes.subarray(b.offset, b.offset + b.length));
    // The 64-byte header cannot hold a v3 header's length field: read it from the full bytes.
    const fmt = qcow2BackingFormat(bytes, readHeader(bytes).headerLength, b.offset);
    vol.backingStore = fmt ? { path: resolveBacking(fs.root, name), format: fmt } : { path: resolveBacking(fs.root, name) };
  }
  return { ok: true, value: vol };
}
