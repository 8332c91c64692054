// What differs between parted releases, as data for parted-ops.ts. Each series scriptlet picks
// its dialect from the probed version (ctx.toolVersion); the ranges themselves live in the
// scriptlets. Sources: parted's NEWS, and shared/recordings/parted-* for 1.8.8 .. 3.4.
import { versionAtLeast } from './parted.js';
import type { PartedDialect } from './parted-ops.js';

/** parted 1.8 .. 2.x: `-m` without disk flags, errors on stdout, filesystem-aware `resize`. */
export function dialect18(version: string): PartedDialect {
  return {
    label: `parted ${version}`,
    json: false,
    machine: { diskFlags: false, escaped: false },
    resize: { kind: 'resize' }
  };
}

/**
 * parted 3.0 .. 3.4.63: 3.0 removed `resize`; 3.1 added the disk-flags field to the `-m` disk
 * line; 3.2 added `resizepart`.
 */
export function dialect3(version: string): PartedDialect {
  return {
    label: `parted ${version}`,
    json: false,
    machine: { diskFlags: versionAtLeast(version, '3.1.0'), escaped: false },
    resize: versionAtLeast(version, '3.2.0')
      ? { kind: 'resizepart' }
      : {
          kind: 'none',
          why: `parted ${version} cannot resize a partition: 3.0 removed 'resize' and 'resizepart' arrived in parted 3.2 (upstream 3.1 prints its usage for it and changes nothing); vol.resize needs parted 3.2 or later`
        }
  };
}

/** parted 3.4.64+ (3.5 stable): `--json`, and `-m` escapes ':' and '\' (used by `-l`). */
export function dialect35(version: string): PartedDialect {
  return {
    label: `parted ${version}`,
    json: true,
    machine: { diskFlags: true, escaped: true },
    resize: { kind: 'resizepart' }
  };
}
