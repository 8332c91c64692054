// The lsblk host.listVolumes scriptlets, for tests that go over all of them.
import semver from 'semver';
import type { ScriptletDef } from '../../../runner/scriptlet/api.js';
import type { HostVolume } from '../../../runner/contracts/generated.js';
import { normalizeVersion } from '../../../runner/probe/version.js';
import { Registry } from '../../../runner/scriptlet/registry.js';
import type { Parsed } from '../../../scriptlets/lib/lsblk.js';
import * as m20 from '../../../scriptlets/lsblk-2.20/host-list-volumes.js';
import * as m23 from '../../../scriptlets/lsblk-2.23/host-list-volumes.js';
import * as m27 from '../../../scriptlets/lsblk-2.27/host-list-volumes.js';
import * as m33 from '../../../scriptlets/lsblk-2.33/host-list-volumes.js';

export interface Series {
  id: string;
  def: ScriptletDef<'host.listVolumes'>;
  /** The range the registry gives it: declared, ended where the next series starts. */
  range: string;
  argv: () => string[];
  parse: (stdout: string) => Parsed<HostVolume[]>;
  /** The columns lsblk prints for this argv (the -o list, or lsblk's defaults when there is none). */
  columns: readonly string[];
  /** The structured output form the argv asks for. */
  form: 'pairs' | 'json';
  /** Whether argv names the columns (-o); without it lsblk prints its release's defaults. */
  explicitColumns: boolean;
}

const REGISTRY = await Registry.load();

const of = (id: string, m: typeof m20 | typeof m23 | typeof m27 | typeof m33, form: Series['form'], explicitColumns: boolean): Series => ({
  id,
  def: m.default,
  range: REGISTRY.byId(id)?.range ?? m.default.versions,
  argv: m.listVolumesArgv,
  parse: m.parseListVolumes,
  columns: m.COLUMNS,
  form,
  explicitColumns
});

export const SERIES: readonly Series[] = [
  of('lsblk-2.20/host-list-volumes', m20, 'pairs', true),
  of('lsblk-2.23/host-list-volumes', m23, 'pairs', false),
  of('lsblk-2.27/host-list-volumes', m27, 'json', true),
  of('lsblk-2.33/host-list-volumes', m33, 'json', true)
];

export function seriesFor(version: string): Series | undefined {
  const n = normalizeVersion(version);
  return n === null ? undefined : SERIES.find((s) => semver.satisfies(n, s.range));
}

export function seriesById(id: string): Series | undefined {
  return SERIES.find((s) => s.id === id);
}
