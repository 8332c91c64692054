// Record mode: with STORAGE_AGENT_RECORD=DIR (or --record DIR) every real scriptlet run is
// written as a golden transcript to DIR/<tool>-<version>/<case>.json. STORAGE_AGENT_RECORD_CASE
// names the case (a prefix; the operation and a counter keep files apart),
// STORAGE_AGENT_RECORD_OPS (comma-separated operations) narrows what is recorded, and the
// golden's `source` is STORAGE_AGENT_RECORD_SOURCE (or --source TEXT) when given, else this
// host's name, OS (/etc/os-release) and the date.
import { mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { Result } from '../errors.js';
import type { HostFacts, OperationName } from '../scriptlet/api.js';
import type { Golden, GoldenCall } from './types.js';

/** The OS as /etc/os-release names it ("Debian GNU/Linux 12 (bookworm)"), or 'unknown OS'. */
function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] || 'unknown OS';
  } catch {
    return 'unknown OS';
  }
}

export function goldenSource(tool: string, version: string, given?: string | null): string {
  if (given) return given;
  return `recorded by storage-agent record mode from the real ${tool} ${version} on ${hostname()} (${osName()}), ${new Date().toISOString().slice(0, 10)}`;
}

export function writeGolden(dir: string, g: Golden): string {
  const folder = join(dir, `${g.tool}-${g.version}`);
  mkdirSync(folder, { recursive: true });
  let name = g.case;
  for (let n = 2; existsSync(join(folder, `${name}.json`)); n++) name = `${g.case}-${n}`;
  const file = join(folder, `${name}.json`);
  writeFileAtomic(file, `${JSON.stringify({ ...g, case: name }, null, 2)}\n`);
  return file;
}

/** The case name of an operation's golden: the operation's file name after the case prefix. */
const opFile = (op: string): string => op.replace(/\./g, '-').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

export interface RecordedRun {
  op: OperationName;
  input: unknown;
  fsRoot: string | null;
  host: HostFacts;
  scriptlet: string;
  tool: string;
  version: string;
  calls: GoldenCall[];
  result: Result<unknown>;
}

/** One run as a golden in `dir`, unless STORAGE_AGENT_RECORD_OPS leaves its operation out. */
export function recordGolden(dir: string, source: string | null, run: RecordedRun): string | null {
  // STORAGE_AGENT_RECORD_OPS narrows recording to the operations a scenario is about (lookups
  // made on the way are not worth a golden each).
  const only = process.env['STORAGE_AGENT_RECORD_OPS'];
  if (only && !only.split(',').includes(run.op)) return null;
  const result = run.result.ok ? { ok: true as const, value: run.result.value } : { ok: false as const, error: { code: run.result.error.code } };
  return writeGolden(dir, {
    scriptlet: run.scriptlet, tool: run.tool, version: run.version,
    case: `${process.env['STORAGE_AGENT_RECORD_CASE'] ?? 'case'}-${opFile(run.op)}`,
    source: goldenSource(run.tool, run.version, source), host: run.host, fsRoot: run.fsRoot, dryRun: false,
    input: run.input, calls: run.calls, result
  });
}
