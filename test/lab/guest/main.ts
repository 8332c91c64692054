// The lab guest's one node program: one agent (node under TCG takes seconds to start) for every
// session named on the command line, each session's steps in RESULTS_DIR/NAME.json.
// node dist/test/lab/guest/main.js RESULTS_DIR logical:/dev/vda fs:/dev/vdb,/dev/vdc netfs
import { GuestAgent } from './agent.js';
import { Recorder, resultsFile } from './steps.js';
import { logicalSession } from './session-logical.js';
import { fsSession } from './session-fs.js';
import { netfsSession } from './session-netfs.js';

const [dir = '/lab', ...sessions] = process.argv.slice(2);
const agent = new GuestAgent('/tmp/agent-home');
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
