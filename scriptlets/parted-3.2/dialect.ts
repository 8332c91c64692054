// parted 3.2: NEWS 3.2 added `resizepart NUMBER END`, which resizes the partition alone. Only
// vol.resize changes; every other operation is parted-3.1's.
import type { PartedDialect } from '../lib/parted-ops.js';
import { PARTED_3_1 } from '../parted-3.1/dialect.js';

export const PARTED_3_2: PartedDialect = { ...PARTED_3_1, resize: { kind: 'resizepart' } };
