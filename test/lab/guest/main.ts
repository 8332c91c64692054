// The lab guest's one node program: one agent (node under TCG takes seconds to start) for every
// session named on the command line, each session's steps in RESULTS_DIR/NAME.json.
// node dist/test/lab/guest/main.js RESULTS_DIR logical:/dev/vda fs:/dev/vdb,/dev/vdc netfs
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GuestAgent } from './agent.js';
import { Recorder, resultsFile } from './steps.js';
import { logicalSession } from './session-logical.js';
import { fsSession } from './session-fs.js';
import { netfsSession } from './session-netfs.js';

const [dir = '/lab', ...sessions] = process.argv.slice(2);
// Record mode when the host asked for it (a `record` file): the agent writes every run of the
// operations below as a golden into RESULTS_DIR/golden, for the host to keep (test/lab/lab-goldens.ts, SA_LAB_RECORD=1).
const RECORD_OPS = 'pool.build,pool.start,pool.stop,vol.create,vol.copy,vol.snapshot,vol.wipe,vol.resize,vol.delete,vol.list';
const record: Record<string, string> = existsSync(join(dir, 'record'))
  ? { STORAGE_AGENT_RECORD: join(dir, 'golden'), STORAGE_AGENT_RECORD_CASE: 'lab', STORAGE_AGENT_RECORD_OPS: RECORD_OPS }
  : {};
const agent = new GuestAgent('/tmp/agent-home', record);
for (const s of sessions) {
  const [name = '', arg = ''] = s.split(':');
  const rec = new Recorder(resultsFile(dir, name));
  const t0 = Date.now();
  if (name === 'logical') await logicalSession(agent, rec, arg);
  else if (name === 'fs') await fsSession(agent, rec, arg.split(','));
  else if (name === 'netfs') await netfsSession(agent, rec);
  else throw new Error(`no session ${name}`);
  console.log(`session ${name}: ${Date.now() - t0} ms`);
}
await agent.close();
