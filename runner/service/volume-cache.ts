// File-pool volumes as their vol.get scriptlet last described them, each kept with the file reads
// that description was made from (the run's transcript: every ctx.fs call with its result). A
// scriptlet's answer is a function of its input and of what its calls returned - the property
// golden replay rests on - so when the same calls, made again now, return the same results, the
// same run would give the same answer, and the remembered one is returned without a sandbox run.
// Anything the description depends on that changed on disk (size, allocation, mode, owner, the
// header bytes holding format and capacity, the backing file's name; a file deleted or replaced)
// changes a read and misses, whoever changed it and however fast: no timestamp is trusted, so a
// resize or re-create in the same clock tick with the same file size is still seen.
// Only runs that did nothing but read pool files are remembered (vol.get); block pools (LVM,
// partitions) are not cached: their volumes are described by their tools, not by file reads.
import type { Volume } from '../contracts/generated.js';
import type { FsOpName } from '../exec/pool-fs.js';
import type { GoldenCall } from '../golden/types.js';
import type { FsResult } from '../scriptlet/api.js';

/** Makes one file operation on a pool's target now (the runner's executor). */
export type FsReader = (root: string, op: FsOpName, args: readonly unknown[]) => Promise<FsResult<unknown>>;

/** File operations that only read, and so can be made again to see whether their answer holds. */
const REREADABLE: ReadonlySet<string> = new Set<FsOpName>(['stat', 'readBytes', 'statRoot', 'list']);

interface Read {
  op: FsOpName;
  args: unknown[];
  /** The result as JSON, compared as such. */
  result: string;
}

interface Entry {
  /** What the run was given and which scriptlet ran: another input or scriptlet is another answer. */
  basis: string;
  root: string;
  reads: Read[];
  vol: Volume;
}

const MAX_ENTRIES = 200_000;

const asJson = (r: FsResult<unknown>): string => JSON.stringify(r.ok ? (r.value === undefined ? { ok: true } : { ok: true, value: r.value }) : { ok: false, code: r.code, message: r.message });

export class VolumeCache {
  private entries = new Map<string, Entry>();

  constructor(private readonly read: FsReader) {}

  /** The remembered answer for this key and basis, if every read it was made from reads the same now. */
  async get(key: string, basis: string, root: string): Promise<Volume | null> {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.basis !== basis || e.root !== root) {
      this.entries.delete(key);
      return null;
    }
    for (const r of e.reads) {
      const now = await this.read(root, r.op, r.args);
      if (asJson(now) !== r.result) {
        // Changed since: the next run describes it again. Only the stale entry goes (a newer
        // one put meanwhile by a concurrent lookup stays).
        if (this.entries.get(key) === e) this.entries.delete(key);
        return null;
      }
    }
    return e.vol;
  }

  /**
   * Remember a run's answer with its transcript. A run that ran a command or changed a file is not
   * remembered: its answer is not a function of reads that can be made again. Nor is one that read
   * nothing (then nothing would show a change).
   */
  put(key: string, basis: string, root: string, calls: readonly GoldenCall[], vol: Volume): void {
    const reads: Read[] = [];
    for (const c of calls) {
      if (c.kind !== 'fs' || !REREADABLE.has(c.op)) return;
      reads.push({ op: c.op as FsOpName, args: [...c.args], result: JSON.stringify(c.result) });
    }
    if (reads.length === 0) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
    this.entries.set(key, { basis, root, reads, vol });
  }

  drop(key: string): void {
    this.entries.delete(key);
  }
}
