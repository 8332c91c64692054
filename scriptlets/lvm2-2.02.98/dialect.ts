// What lvm2 2.02.98 .. 2.02.157 does, for the operations of this series: text reports (no JSON
// before 2.02.158) and no prompts to answer. Later series spread this and override what changed.
import type { LvmDialect } from '../lib/lvm.js';
import { FREE_FORM_FIELD, SEPARATOR_FORMAT, parseSeparatorReport } from './separator-report.js';

export const LVM2_2_02_98: LvmDialect = {
  series: 'lvm2-2.02.98',
  why: "lvm2 before 2.02.158 has no JSON reports (WHATS_NEW 2.02.158: \"Recognize --reportformat {basic|json} option\"), so pvs/vgs/lvs are read as `--noheadings --separator '#'` text in bytes (`--units b --nosuffix`); '#' cannot occur in LVM names, UUIDs, attributes or numbers, and the one free-form field of each report (pv_name, lv_tags) takes what is left. 2.02.98, the oldest release recorded (shared/recordings/lvm2-2.02.98), is the lower bound: every option and field used is there. Without device-mapper the 2.02 line refuses an lvcreate it cannot zero (\"Can't wipe start of new LV without using device-mapper kernel driver\", recordings 2.02.98 and 2.02.133), so -Z n is passed on such hosts.",
  reportFormat: SEPARATOR_FORMAT,
  parseReport: (kind, fields, stdout) => parseSeparatorReport(stdout, fields, FREE_FORM_FIELD[kind]),
  // 2.02.98 neither prompts in lvcreate nor knows --yes (added in 2.02.99: lvm2-2.02.99).
  lvcreatePromptArgs: () => []
};
