// Record mode: with STORAGE_AGENT_RECORD=DIR every real scriptlet run is written as a golden
// transcript to DIR/<tool>-<version>/<case>.json, the case named by STORAGE_AGENT_RECORD_CASE
// (a prefix; a counter keeps files apart) or after the operation.
import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { Golden } from './types.js';

export function goldenSource(tool: string, version: string): string {
  return `recorded by storage-agent record mode from the real ${tool} ${version} on ${hostname()} (Debian 12, root, loop devices and image files), ${new Date().toISOString().slice(0, 10)}`;
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
