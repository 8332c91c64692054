// Goldens from a lab boot in record mode (the agent in the guest ran with STORAGE_AGENT_RECORD):
// the runs of the tools only the guest can run for real (lvm2 with device-mapper, util-linux
// mounting NFS and CIFS) are kept in golden/, so npm test replays them on hosts without the lab.
// Output is the tools' own; only `source` is rewritten to say where it was recorded. Existing
// files are never replaced (writeGolden adds a counter).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGolden } from '../../runner/golden/record.js';
import type { Golden } from '../../runner/golden/types.js';
import { GOLDEN_DIR } from '../helpers/paths.js';
import { labKernel } from './boot.js';

const KEEP = /^(lvm2|util-linux)-/;

/** Copy the recorded goldens from a results folder into golden/; the files written. */
export function keepGoldens(resultsDir: string): string[] {
  const dir = join(resultsDir, 'golden');
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  const source = `recorded by storage-agent record mode in the real-kernel lab (test/lab: a QEMU guest on Debian's kernel ${labKernel()}, device-mapper, virtio disks, NFS and SMB servers in the guest), ${new Date().toISOString().slice(0, 10)}`;
  for (const folder of readdirSync(dir).filter((f) => KEEP.test(f)).sort()) {
    for (const f of readdirSync(join(dir, folder)).sort()) {
      const g = JSON.parse(readFileSync(join(dir, folder, f), 'utf8')) as Golden;
      out.push(writeGolden(GOLDEN_DIR, { ...g, source }));
    }
  }
  return out;
}
