// Record mode from the command line: --record DIR writes each real scriptlet run as a golden,
// whose `source` is the --source text (or STORAGE_AGENT_RECORD_SOURCE), else this host and OS.
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { execFileSync } from 'node:child_process';
import { DIST, tempDir } from '../../helpers/paths.js';

const MAIN = join(DIST, 'runner', 'cli', 'main.js');

function goldens(dir: string): { scriptlet: string; source: string }[] {
  const out: { scriptlet: string; source: string }[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...goldens(p));
    else out.push(JSON.parse(readFileSync(p, 'utf8')) as { scriptlet: string; source: string });
  }
  return out;
}

function record(extra: string[], env: Record<string, string> = {}): { scriptlet: string; source: string }[] {
  const d = tempDir(t);
  const rec = join(d, 'rec');
  const run = (...args: string[]) => execFileSync(process.execPath, [MAIN, '--home', join(d, 'home'), ...args], { env: { ...process.env, STORAGE_AGENT_RECORD_OPS: 'vol.create', ...env }, encoding: 'utf8' });
  run('pool-define-as', 'p', 'dir', '--target', join(d, 'pool'));
  run('pool-build', 'p');
  run('pool-start', 'p');
  run('--record', rec, ...extra, 'vol-create-as', 'p', 'a.img', '1M');
  return goldens(rec);
}

t.test('--source names where the output came from', async (t) => {
  const g = record(['--source', 'openSUSE bug 1234, verbatim']);
  t.equal(g.length, 1, 'one golden for vol.create');
  t.equal(g[0]?.source, 'openSUSE bug 1234, verbatim');
});

t.test('STORAGE_AGENT_RECORD_SOURCE does the same', async (t) => {
  const g = record([], { STORAGE_AGENT_RECORD_SOURCE: 'a vendor manual, verbatim' });
  t.equal(g[0]?.source, 'a vendor manual, verbatim');
});

t.test('without one: this host, its OS and the date, no fixed distribution', async (t) => {
  const g = record([]);
  const os = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown OS';
  t.match(g[0]?.source, new RegExp(`^recorded by storage-agent record mode from the real \\S+ \\S+ on ${hostname().replace(/[.]/g, '\\.')} \\(${os.replace(/[()/.]/g, '\\$&')}\\), \\d{4}-\\d{2}-\\d{2}$`));
});
