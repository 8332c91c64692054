// `storage-agent check`: the rules that keep the scriptlet tree honest.
// - every scriptlet's operation has a contract (contracts/ops/<op>.json) and its file is named for it;
// - no two scriptlets of one tool, operation and pool type have overlapping version ranges (as
//   the registry ends them: where the next series starts);
// - every scriptlet has at least one golden, and every golden names a scriptlet whose range holds
//   the golden's version;
// - no scriptlet imports process or file-system modules, or names the globals that reach them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import semver from 'semver';
import { DIST_ROOT } from '../sandbox/host.js';
import { Registry, SCRIPTLETS_DIR, lowerBound, opFileName, type RegisteredScriptlet } from '../scriptlet/registry.js';
import { CONTRACTS_DIR } from '../contracts/validate.js';
import { normalizeVersion } from '../probe/version.js';
import { TOOL_PROBES } from '../probe/tools/index.js';
import { importProblems } from './imports.js';
import type * as TS from 'typescript';

export const PACKAGE_ROOT = resolve(DIST_ROOT, '..');

function walk(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p, ext));
    else if (p.endsWith(ext)) out.push(p);
  }
  return out.sort();
}

export interface CheckOptions {
  scriptletDirs?: string[];
  sourceRoot?: string;
  goldenDir?: string;
  /** The scriptlet API's source, which scriptlets may import (a copy of the tree has its own). */
  apiFile?: string;
}

export async function runCheck(opts: CheckOptions = {}): Promise<string[]> {
  const problems: string[] = [];
  const registry = await Registry.load(opts.scriptletDirs ?? [SCRIPTLETS_DIR]);
  const tools = new Set(TOOL_PROBES.map((p) => p.tool));

  for (const s of registry.all) {
    const d = s.def;
    const file = s.id.split('/')[1];
    if (!existsSync(join(CONTRACTS_DIR, 'ops', `${d.operation}.json`))) problems.push(`${s.id}: no contract contracts/ops/${d.operation}.json`);
    if (file !== opFileName(d.operation)) problems.push(`${s.id}: file should be named ${opFileName(d.operation)} for operation ${d.operation}`);
    if (!s.id.startsWith(`${d.tool}-`)) problems.push(`${s.id}: folder should be ${d.tool}-<series> for tool ${d.tool}`);
    else {
      // The naming rule (README, "Series"): the folder names the first version the series serves.
      const suffix = s.id.split('/')[0]?.slice(d.tool.length + 1) ?? '';
      const named = normalizeVersion(/^\d+$/.test(suffix) ? `${suffix}.0` : suffix);
      const start = lowerBound(d.versions);
      if (start && named !== start) problems.push(`${s.id}: starts at ${start} (${d.versions}), so its folder should be named for that first version (${d.tool}-${start}, written as the tool prints it, trailing .0 parts dropped)`);
    }
    if (!tools.has(d.tool)) problems.push(`${s.id}: tool ${d.tool} has no probe in runner/probe/tools`);
    if (!semver.validRange(d.versions)) problems.push(`${s.id}: versions ${JSON.stringify(d.versions)} is not a semver range`);
    if (!d.why || d.why.length < 10) problems.push(`${s.id}: says not why its range is what it is`);
  }

  // Overlaps: one tool, operation and pool type may have one scriptlet per version.
  const seen: RegisteredScriptlet[] = [];
  for (const s of registry.all) {
    for (const o of seen) {
      if (o.def.tool !== s.def.tool || o.def.operation !== s.def.operation) continue;
      const shared = s.def.poolTypes.filter((t) => o.def.poolTypes.includes(t));
      if (shared.length && semver.validRange(s.range) && semver.validRange(o.range) && semver.intersects(s.range, o.range)) {
        // Ranges end where the next series starts (registry.ts), so what is left is two series
        // starting at the same version, or a range that is not one simple interval.
        problems.push(
          `${s.id} (${s.range}) and ${o.id} (${o.range}) overlap for ${s.def.operation} on ${shared.join(', ')}: ` +
            `give each series its own start (\`versions: '>=FIRST'\`, the first version it serves; the older one then ends there by itself), or, if one replaces the other, remove the older file`
        );
      }
    }
    seen.push(s);
  }

  // Goldens.
  const goldenDir = opts.goldenDir ?? join(PACKAGE_ROOT, 'golden');
  const covered = new Set<string>();
  for (const f of walk(goldenDir, '.json')) {
    let g: { scriptlet?: unknown; version?: unknown; tool?: unknown; source?: unknown };
    try {
      g = JSON.parse(readFileSync(f, 'utf8')) as typeof g;
    } catch (e) {
      problems.push(`${relative(goldenDir, f)}: not JSON (${(e as Error).message})`);
      continue;
    }
    const s = typeof g.scriptlet === 'string' ? registry.byId(g.scriptlet) : undefined;
    if (!s) {
      problems.push(`${relative(goldenDir, f)}: names no known scriptlet (${String(g.scriptlet)})`);
      continue;
    }
    const norm = typeof g.version === 'string' ? normalizeVersion(g.version) : null;
    if (!norm || !semver.satisfies(norm, s.range)) problems.push(`${relative(goldenDir, f)}: version ${String(g.version)} is not in ${s.id}'s range ${s.range}`);
    if (typeof g.source !== 'string' || g.source.length < 10) problems.push(`${relative(goldenDir, f)}: says not where its output came from (source)`);
    covered.add(s.id);
  }
  for (const s of registry.all) if (!covered.has(s.id)) problems.push(`${s.id}: has no golden in golden/`);

  // Imports, from the TypeScript sources (a developer check: needs the checkout and typescript).
  const sourceRoot = opts.sourceRoot ?? join(PACKAGE_ROOT, 'scriptlets');
  const apiFile = opts.apiFile ?? join(PACKAGE_ROOT, 'runner', 'scriptlet', 'api.ts');
  let ts: typeof TS | null = null;
  try {
    ts = ((await import('typescript')) as unknown as { default: typeof TS }).default;
  } catch {
    problems.push('typescript is not installed: the import check cannot run (npm ci installs it)');
  }
  if (ts) {
    for (const f of walk(sourceRoot, '.ts')) problems.push(...importProblems(ts, f, readFileSync(f, 'utf8'), sourceRoot, apiFile));
  }
  return problems;
}
