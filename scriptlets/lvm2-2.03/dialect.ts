// lvm2 2.03: what it does differently from 2.02.158 is not in the commands this agent runs
// (lvmetad and clvmd are gone; without device-mapper lvcreate warns instead of refusing, and
// -Z n is still passed): the dialect is 2.02.158's, with its own reason.
import type { LvmDialect } from '../lib/lvm.js';
import { LVM2_2_02_158 } from '../lvm2-2.02.158/dialect.js';

export const LVM2_2_03: LvmDialect = {
  ...LVM2_2_02_158,
  series: 'lvm2-2.03',
  why: "2.03.00 removed lvmetad and clvmd (WHATS_NEW 2.03.00); reports stay `--reportformat json` (recordings 2.03.11 and this host's 2.03.16). 2.03.17 added json_std (numbers as numbers, WHATS_NEW 2.03.17) and later releases can put a \"log\" section beside \"report\" (log/report_command_log); the parser reads strings and numbers alike and only \"report\", so plain json serves the whole 2.03 line. Without device-mapper 2.03 skips zeroing with a warning instead of refusing (recording 2.03.11), and -Z n is still passed so the choice is explicit."
};
