// parted 3.4.64 (the 3.5 alpha, NEWS 3.4.64): `--json`, read instead of `-m`, and `-m` escapes
// ':' and '\\' from this release on (used by `-l`, which has no --json). resizepart as in 3.2.
import type { PartedDialect } from '../lib/parted-ops.js';
import { PARTED_3_2 } from '../parted-3.2/dialect.js';
import { parseJson } from './json-output.js';

export const PARTED_3_4_64: PartedDialect = { ...PARTED_3_2, json: true, machine: { diskFlags: true, escaped: true }, parse: parseJson };
