// Volumes of file pools as last described by their scriptlet, reused while the file is the same
// one (same inode, size, mtime and ctime, checked by an lstat here): a lookup before a delete or
// resize then costs no sandbox run. Anything changed on disk, by this agent or another, misses.
// Block pools (LVM, partitions) are not cached: their volumes are not files to stat.
import { lstatSync } from 'node:fs';
import type { Volume } from '../contracts/generated.js';

interface Entry {
  vol: Volume;
  sig: string;
}

const MAX_ENTRIES = 200_000;

function signature(path: string): string | null {
  try {
    const st = lstatSync(path, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.mode}`;
  } catch {
    return null;
  }
}

export class VolumeCache {
  private entries = new Map<string, Entry>();

  get(poolUuid: string, name: string, path: string): Volume | null {
    const e = this.entries.get(`${poolUuid}/${name}`);
    if (!e) return null;
    if (signature(path) !== e.sig) {
      this.entries.delete(`${poolUuid}/${name}`);
      return null;
    }
    return e.vol;
  }

  put(poolUuid: string, vol: Volume): void {
    const sig = signature(vol.path);
    if (!sig) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(`${poolUuid}/${vol.name}`, { vol, sig });
  }

  drop(poolUuid: string, name: string): void {
    this.entries.delete(`${poolUuid}/${name}`);
  }
}
