// parted 3.2: NEWS 3.2 added `resizepart NUMBER END`, which resizes the partition alone. Only
// vol.resize changes; every other operation is parted-3.1's.
import type { PartedDialect } from '../lib/parted-ops.js';
import { dialect31 } from '../parted-3.1/dialect.js';

export function dialect32(version: string): PartedDialect {
  return { ...dialect31(version), resize: { kind: 'resizepart' } };
}
