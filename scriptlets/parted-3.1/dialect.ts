// parted 3.1: NEWS 3.1 added the disk-flags field to the `-m` disk line. 3.0 had removed
// `resize`, and `resizepart` came in 3.2 (upstream 3.1 prints its usage for it and changes
// nothing): this series cannot resize a partition. Everything else as in parted-1.8.
import type { PartedDialect } from '../lib/parted-ops.js';
import { parseMachine } from '../lib/parted.js';
import { dialect18 } from '../parted-1.8/dialect.js';

const MACHINE = { diskFlags: true, escaped: false } as const;

export function dialect31(version: string): PartedDialect {
  return {
    ...dialect18(version),
    machine: MACHINE,
    parse: (stdout) => parseMachine(stdout, MACHINE),
    resize: {
      kind: 'none',
      why: `parted ${version} cannot resize a partition: 3.0 removed 'resize' and 'resizepart' arrived in parted 3.2 (upstream 3.1 prints its usage for it and changes nothing); vol.resize needs parted 3.2 or later`
    }
  };
}
