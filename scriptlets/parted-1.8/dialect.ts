// What parted 1.8 .. 3.0 does, for the operations of this series. Sources: parted's NEWS and
// shared/recordings/parted-1.8.8, -1.9.0, -2.3. Later series spread this and override what
// changed; the ranges the scriptlets declare decide which one runs.
import type { PartedDialect } from '../lib/parted-ops.js';
import { parseMachine } from '../lib/parted.js';

const MACHINE = { diskFlags: false, escaped: false } as const;

/** `-m` without disk flags (added in 3.1), filesystem-aware `resize` (removed in 3.0). */
export const PARTED_1_8: PartedDialect = {
  json: false,
  machine: MACHINE,
  parse: (stdout) => parseMachine(stdout, MACHINE),
  resize: { kind: 'resize' }
};
