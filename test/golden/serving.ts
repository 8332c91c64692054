// Which scriptlet serves a tool version, as the agent decides it (the registry's ranges, ended
// where the next series starts): golden builders and tests ask this instead of naming series.
import semver from 'semver';
import { Registry, type RegisteredScriptlet } from '../../runner/scriptlet/registry.js';
import { normalizeVersion } from '../../runner/probe/version.js';

let loaded: Promise<Registry> | null = null;
export const registry = (): Promise<Registry> => (loaded ??= Registry.load());

/** The scriptlet of `tool` whose file is `opFile` (vol-list) serving `version` for `poolType`. */
export async function servingScriptlet(tool: string, poolType: string, opFile: string, version: string): Promise<RegisteredScriptlet> {
  const v = normalizeVersion(version);
  if (!v) throw new Error(`${tool} ${version}: not a version`);
  const hits = (await registry()).all.filter(
    (s) => s.def.tool === tool && s.id.split('/')[1] === opFile && s.def.poolTypes.includes(poolType as never) && semver.satisfies(v, s.range)
  );
  if (hits.length !== 1) throw new Error(`${tool} ${version} ${opFile}: ${hits.length} scriptlets serve it (${hits.map((h) => h.id).join(', ')})`);
  return hits[0] as RegisteredScriptlet;
}
