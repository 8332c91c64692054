// Record mode in the lab: `node dist/test/lab/record.js` boots the lab with the agent recording
// (STORAGE_AGENT_RECORD in the guest) and keeps the goldens of the tools only the guest can run
// for real (lvm2 with device-mapper, util-linux mounting NFS and CIFS) in golden/, so npm test
// replays them on hosts without the lab. Output is the tools' own; only `source` is rewritten
// to say where it was recorded. Existing files are never replaced (a counter is added).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeGolden } from '../../runner/golden/record.js';
import type { Golden } from '../../runner/golden/types.js';
import { GOLDEN_DIR } from '../helpers/paths.js';
import { labKernel, labUnavailable } from './boot.js';
import { bootAllSessions } from './lab-boot.js';

const KEEP = /^(lvm2|util-linux)-/;

const why = labUnavailable();
if (why) {
  console.error(`cannot record in the lab: ${why}`);
  process.exit(1);
}
const run = await bootAllSessions({ record: true });
console.log(`boot: first command ${run.firstCommandWallMs} ms, whole ${run.wallMs} ms, rc ${run.rc}`);
const dir = join(run.dir, 'golden');
let kept = 0;
if (existsSync(dir)) {
  for (const folder of readdirSync(dir).filter((f) => KEEP.test(f))) {
    for (const f of readdirSync(join(dir, folder)).sort()) {
      const g = JSON.parse(readFileSync(join(dir, folder, f), 'utf8')) as Golden;
      const source = `recorded by storage-agent record mode in the real-kernel lab (test/lab: a QEMU guest on Debian's kernel ${labKernel()}, device-mapper, virtio disks, NFS and SMB servers in the guest), ${new Date().toISOString().slice(0, 10)}`;
      console.log(writeGolden(GOLDEN_DIR, { ...g, source }));
      kept++;
    }
  }
}
console.log(`${kept} goldens kept`);
run.cleanup();
process.exit(run.rc === 0 ? 0 : 1);
