// lvm2 2.02.158 .. 2.02.x: JSON reports; lvcreate as in lvm2-2.02.99.
import type { LvmDialect } from '../lib/lvm.js';
import { LVM2_2_02_99 } from '../lvm2-2.02.99/dialect.js';
import { JSON_FORMAT, parseJsonReportFields } from './json-report.js';

export const LVM2_2_02_158: LvmDialect = {
  ...LVM2_2_02_99,
  series: 'lvm2-2.02.158',
  why: "2.02.158 added `--reportformat json` (WHATS_NEW 2.02.158), so from then on pvs/vgs/lvs are read as JSON, where every value is a string (recordings 2.02.168, 2.02.187); lines that are not JSON (notices some releases print on stdout) are dropped before parsing. The 2.02 line still refuses an lvcreate it cannot zero without device-mapper (recordings 2.02.168, 2.02.187), so -Z n is passed on such hosts, and it may print lvmetad warnings, which are never taken for errors.",
  reportFormat: JSON_FORMAT,
  parseReport: parseJsonReportFields
};
