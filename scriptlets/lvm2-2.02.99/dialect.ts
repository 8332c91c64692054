// lvm2 2.02.99 "Accept --yes in all commands" (WHATS_NEW 2.02.99): lvcreate may prompt from then
// on (wiping signatures found on a new LV's extents, since 2.02.105), and --yes answers it. Only
// with device-mapper do such prompts arise; without it nothing is wiped. Everything else is
// lvm2-2.02.98's; only the operations that run lvcreate are in this folder.
import type { LvmDialect } from '../lib/lvm.js';
import { LVM2_2_02_98 } from '../lvm2-2.02.98/dialect.js';

export const LVM2_2_02_99: LvmDialect = {
  ...LVM2_2_02_98,
  series: 'lvm2-2.02.99',
  why: `${LVM2_2_02_98.why} From 2.02.99 (WHATS_NEW: "Accept --yes in all commands") lvcreate gets --yes on hosts with device-mapper, where it may prompt about signatures on the new extents.`,
  lvcreatePromptArgs: (host) => (host.deviceMapper ? ['--yes'] : [])
};
