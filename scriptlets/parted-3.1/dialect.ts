// parted 3.1: NEWS 3.1 added the disk-flags field to the `-m` disk line. 3.0 had removed
// `resize`, and `resizepart` came in 3.2 (upstream 3.1 prints its usage for it and changes
// nothing): this series cannot resize a partition. Everything else as in parted-1.8.
import type { PartedDialect } from '../lib/parted-ops.js';
import { parseMachine } from '../lib/parted.js';
import { PARTED_1_8 } from '../parted-1.8/dialect.js';

const MACHINE = { diskFlags: true, escaped: false } as const;

export const PARTED_3_1: PartedDialect = {
  ...PARTED_1_8,
  machine: MACHINE,
  parse: (stdout) => parseMachine(stdout, MACHINE),
  resize: {
    kind: 'none',
    why: "cannot resize a partition: 3.0 removed 'resize' and 'resizepart' arrived in parted 3.2 (upstream 3.1 prints its usage for it and changes nothing); vol.resize needs parted 3.2 or later"
  }
};
