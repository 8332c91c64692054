// Pure helpers for the fs and netfs pools (util-linux: blkid, mkfs, mount, umount, findmnt,
// wipefs): argv builders, the `blkid -o export` parser, and the mapping of their messages to
// the spec's error codes. No I/O here.
import type { ErrorCode, PoolDefinition, PoolSource } from '../../runner/contracts/generated.js';

// ---------------------------------------------------------------------------------------------
// blkid -o export: KEY=value lines, one blank line between devices. Values may escape shell
// specials with a backslash (util-linux 2.24+ "-o export" is safe for `eval`).

export type BlkidRecord = Record<string, string>;

export function parseBlkidExport(stdout: string): BlkidRecord[] {
  const out: BlkidRecord[] = [];
  let cur: BlkidRecord = {};
  const flush = () => {
    if (Object.keys(cur).length > 0) out.push(cur);
    cur = {};
  };
  for (const raw of stdout.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      flush();
      continue;
    }
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    // A new DEVNAME starts a new device even without the blank line.
    if (key === 'DEVNAME' && cur['DEVNAME'] !== undefined) flush();
    cur[key] = (m[2] as string).replace(/\\(.)/g, '$1');
  }
  flush();
  return out;
}

export function blkidProbeArgv(device: string): string[] {
  return ['blkid', '-p', '-o', 'export', device];
}

/** Every device blkid can read, probed now (no cache file read or written). */
export function blkidAllArgv(): string[] {
  return ['blkid', '-c', '/dev/null', '-o', 'export'];
}

/** What a low-level probe found on a device, as words for a message; null when nothing. */
export function describeSignature(rec: BlkidRecord | undefined): string | null {
  if (!rec) return null;
  if (rec['TYPE']) return `a ${rec['TYPE']} ${rec['USAGE'] === 'filesystem' || !rec['USAGE'] ? 'file system' : rec['USAGE']} signature`;
  if (rec['PTTYPE']) return `a ${rec['PTTYPE']} partition table`;
  return null;
}

/** Types blkid reports that are not file systems a pool can mount. */
const NOT_MOUNTABLE = new Set(['swap', 'LVM2_member', 'crypto_LUKS', 'linux_raid_member', 'zfs_member', 'ceph', 'bcache', 'drbd', 'iso9660_']);

export function fsSources(records: BlkidRecord[]): PoolSource[] {
  return records
    .filter((r) => r['DEVNAME'] && r['TYPE'] && (r['USAGE'] === undefined || r['USAGE'] === 'filesystem') && !NOT_MOUNTABLE.has(r['TYPE']))
    .map((r) => ({ devices: [{ path: r['DEVNAME'] as string }], format: r['TYPE'] as string }));
}

// ---------------------------------------------------------------------------------------------
// mkfs through util-linux's front end (`mkfs -t TYPE [options] DEVICE`, which runs mkfs.TYPE).
// The agent checks for an existing signature itself (blkid -p) and refuses without overwrite,
// so the tool is told to go ahead: mke2fs -F (no "Proceed anyway?"), mkfs.xfs -f.

const MKFS_FORCE: Record<string, string[]> = {
  ext2: ['-F'],
  ext3: ['-F'],
  ext4: ['-F'],
  xfs: ['-f'],
  vfat: [],
  btrfs: ['-f']
};

/** Debian package of each mkfs.TYPE, named in TOOL_MISSING. */
export const MKFS_PACKAGE: Record<string, string> = {
  ext2: 'e2fsprogs',
  ext3: 'e2fsprogs',
  ext4: 'e2fsprogs',
  xfs: 'xfsprogs',
  vfat: 'dosfstools',
  btrfs: 'btrfs-progs'
};

export function mkfsArgv(format: string, device: string): string[] | null {
  const force = MKFS_FORCE[format];
  return force ? ['mkfs', '-t', format, ...force, device] : null;
}

export const MKFS_FORMATS = Object.keys(MKFS_FORCE);

export function wipefsArgv(device: string): string[] {
  return ['wipefs', '--all', device];
}

// ---------------------------------------------------------------------------------------------
// mount / umount / findmnt.

export function findmntArgv(target: string): string[] {
  return ['findmnt', '--raw', '--noheadings', '--output', 'SOURCE,FSTYPE,TARGET', '--mountpoint', target];
}

/** findmnt --raw escapes blanks and other specials as \xHH. */
export function unescapeRaw(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
}

export function parseFindmnt(stdout: string): { source: string; fstype: string; target: string } | null {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  if (!line) return null;
  const [source, fstype, target] = line.trim().split(' ').map(unescapeRaw);
  return source && fstype && target ? { source, fstype, target } : null;
}

export type Built<T> = { ok: true; value: T } | { ok: false; code: ErrorCode; message: string };

/** What a pool mounts: the device (fs) or HOST:DIR, //HOST/DIR (netfs), and the type. */
export function mountSource(pool: PoolDefinition): Built<{ source: string; fstype: string | null; options: string[] }> {
  const src = pool.source ?? {};
  const format = src.format && src.format !== 'auto' ? src.format : null;
  if (pool.type === 'fs') {
    const dev = src.devices?.[0]?.path;
    if (!dev) return { ok: false, code: 'INVALID_ARGUMENT', message: `fs pool '${pool.name}' has no <source><device path=.../>` };
    return { ok: true, value: { source: dev, fstype: format, options: [] } };
  }
  const host = src.hosts?.[0]?.name;
  const dir = src.dir;
  if (!host || !dir) return { ok: false, code: 'INVALID_ARGUMENT', message: `netfs pool '${pool.name}' needs <source><host name=.../><dir path=.../>` };
  switch (format) {
    case null:
    case 'nfs': {
      const opts = src.protocolVersion ? [`nfsvers=${src.protocolVersion}`] : [];
      return { ok: true, value: { source: `${host}:${dir}`, fstype: format, options: opts } };
    }
    case 'cifs':
      return { ok: true, value: { source: `//${host}/${dir.replace(/^\/+/, '')}`, fstype: 'cifs', options: ['guest'] } };
    case 'glusterfs':
      // A gluster volume is named without a leading slash (libvirt strips it too).
      return { ok: true, value: { source: `${host}:${dir.replace(/^\/+/, '')}`, fstype: 'glusterfs', options: ['direct-io-mode=1'] } };
    default:
      return { ok: false, code: 'UNSUPPORTED', message: `netfs format '${format}' is not supported (nfs, cifs, glusterfs, auto)` };
  }
}

export function mountArgv(m: { source: string; fstype: string | null; options: string[] }, target: string): string[] {
  return ['mount', ...(m.fstype ? ['-t', m.fstype] : []), ...(m.options.length > 0 ? ['-o', m.options.join(',')] : []), m.source, target];
}

export function umountArgv(target: string): string[] {
  return ['umount', target];
}

/** Debian package of each mount helper, named in TOOL_MISSING. */
export const MOUNT_PACKAGE: Record<string, string> = { nfs: 'nfs-common', nfs4: 'nfs-common', cifs: 'cifs-utils', glusterfs: 'glusterfs-client' };

const MESSAGES: readonly [RegExp, ErrorCode][] = [
  [/unknown filesystem type|you might need a \/sbin\/mount\.|failed to execute mkfs\.|mount\.\S+: not found/i, 'TOOL_MISSING'],
  [/target is busy|device is busy|is mounted; will not make|contains a mounted filesystem|Device or resource busy|already mounted/i, 'POOL_BUSY'],
  [/Permission denied|access denied|Operation not permitted|must be superuser/i, 'PERMISSION_DENIED'],
  [/mount point does not exist|special device .* does not exist|does not exist and no size was specified|No such file or directory/i, 'INVALID_ARGUMENT'],
  [/No space left on device|too small|must be larger than/i, 'NO_SPACE']
];

export function classifyMessage(stdout: string, stderr: string): { code: ErrorCode; line: string } | null {
  const text = `${stderr}\n${stdout}`;
  for (const [re, code] of MESSAGES) {
    const m = re.exec(text);
    if (m) {
      const line = text.slice(text.lastIndexOf('\n', m.index) + 1).split('\n')[0]?.trim() ?? '';
      return { code, line };
    }
  }
  return null;
}
