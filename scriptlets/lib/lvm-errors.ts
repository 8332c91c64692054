// Pure mapping of lvm2 failures to the spec's error codes, judged by exit code and stderr
// together. lvm2 exits 5 (ECMD_FAILED) for failed commands and 3 (EINVALID_CMD_LINE) for
// rejected arguments. Texts of every series are listed side by side, old and new wording.
import type { ErrorCode } from '../../runner/contracts/generated.js';
import type { CommandResult } from '../../runner/scriptlet/api.js';

/** Lines that are never the reason of a failure: warnings, fd-leak notices, prompts' echoes. */
export function isNoise(line: string): boolean {
  const t = line.trim();
  return (
    t === '' ||
    /^WARNING:/i.test(t) ||
    /^File descriptor \d+ .*leaked on .* invocation/.test(t) ||
    /lvmetad/.test(t) ||
    /^Run `\S+ --help' for more information\.$/.test(t) ||
    // lvm version on a host without device-mapper.
    /^\/dev\/mapper\/control: open failed/.test(t) ||
    /^Failure to communicate with kernel device-mapper driver\.$/.test(t) ||
    /^Check that device-mapper is available in the kernel\.$/.test(t) ||
    /^Incompatible libdevmapper/.test(t)
  );
}

/** The lines of stderr (and stdout, where some releases print errors) that carry a reason. */
export function reasonLines(result: Pick<CommandResult, 'stdout' | 'stderr'>): string[] {
  return `${result.stderr}\n`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => !isNoise(l));
}

/** The first line that says why, for messages. */
export function firstReason(result: Pick<CommandResult, 'stdout' | 'stderr'>): string {
  return reasonLines(result)[0] ?? '';
}

export type LvmOperationKind = 'pv' | 'vg' | 'lv' | 'report';

interface Rule {
  code: ErrorCode | 'GONE' | 'SAME_SIZE';
  test: RegExp;
  /** Only for these kinds of command (default: all). */
  kinds?: readonly LvmOperationKind[];
}

// Order matters: the first rule matching any reason line wins.
const RULES: readonly Rule[] = [
  // Space.
  { code: 'NO_SPACE', test: /insufficient free space/i },
  { code: 'NO_SPACE', test: /Insufficient suitable (allocatable )?extents/i },
  { code: 'NO_SPACE', test: /not enough free (space|extents)/i },
  // A thin pool past its threshold (lvm2 2.03 refuses new thin volumes in a full pool).
  { code: 'NO_SPACE', test: /free space in thin pool \S+ reached threshold/i },
  // Names taken.
  { code: 'POOL_EXISTS', test: /A volume group called \S+ already exists/i },
  { code: 'POOL_EXISTS', test: /Volume group "?[^"]*"? already exists/i },
  { code: 'VOLUME_EXISTS', test: /Logical volume "?[^"]*"? already exists/i },
  { code: 'VOLUME_EXISTS', test: /already exists in volume group/i },
  // A resize that changes nothing (2.02 fails it; the caller treats it as done).
  { code: 'SAME_SIZE', test: /New size \(\d+ extents\) matches existing size/i },
  { code: 'SAME_SIZE', test: /New size given \(\d+ extents\) not (larger|smaller) than existing size/i },
  // Not found. LV first: "Failed to find logical volume" also names the VG.
  { code: 'NO_VOLUME', test: /One or more specified logical volume\(s\) not found/i },
  { code: 'NO_VOLUME', test: /Failed to find logical volume/i },
  { code: 'NO_VOLUME', test: /logical volume "?[^"]*"? not found/i },
  { code: 'NO_POOL', test: /Volume group "?[^"]*"? not found/i },
  { code: 'NO_POOL', test: /Cannot process volume group/i },
  // A device that is not (or no longer) a PV, for pvremove: nothing left to remove.
  { code: 'GONE', test: /No PV label found on/i, kinds: ['pv'] },
  { code: 'GONE', test: /No PV found on device/i, kinds: ['pv'] },
  { code: 'GONE', test: /No physical volume label read from/i, kinds: ['pv'] },
  { code: 'GONE', test: /Physical Volume \S+ not found/i, kinds: ['pv'] },
  { code: 'GONE', test: /Failed to read lvm info for \S+ PVID/i, kinds: ['pv'] },
  // Existing signatures that pvcreate would not wipe without being told to.
  { code: 'ALREADY_BUILT', test: /existing signature left on the device/i },
  { code: 'ALREADY_BUILT', test: /Aborted wiping of/i },
  // In use.
  { code: 'POOL_BUSY', test: /Can't initialize physical volume "?[^"]*"? of volume group "?[^"]*"? without -ff/i },
  { code: 'POOL_BUSY', test: /Physical volume '?"?[^'"]*'?"? is already in volume group/i },
  { code: 'POOL_BUSY', test: /is used by (VG|volume group)/i },
  { code: 'POOL_BUSY', test: /Can't open \S+ exclusively/i },
  { code: 'POOL_BUSY', test: /contains a filesystem in use/i },
  { code: 'POOL_BUSY', test: /Can't remove open logical volume/i },
  { code: 'POOL_BUSY', test: /Logical volume \S+ (is )?in use/i },
  { code: 'POOL_BUSY', test: /Can't deactivate volume group "?[^"]*"? with \d+ open logical volume/i },
  { code: 'POOL_BUSY', test: /Volume group "?[^"]*"? not removed/i },
  { code: 'POOL_BUSY', test: /is used by another device/i },
  // Needs device-mapper or a kernel target this host lacks.
  { code: 'UNSUPPORTED', test: /without using device-mapper kernel driver/i },
  { code: 'UNSUPPORTED', test: /Required device-mapper target\(s\) not detected/i },
  // Locks held by another command, and the OS saying no.
  { code: 'CONFLICT', test: /Can't get lock for/i },
  { code: 'PERMISSION_DENIED', test: /Permission denied/i },
  { code: 'PERMISSION_DENIED', test: /Operation not permitted/i },
  // A source device that is not there (or that the site's lvm.conf filter hides).
  { code: 'INVALID_ARGUMENT', test: /No device found for \S+/i },
  { code: 'INVALID_ARGUMENT', test: /Device \S+ not found/i },
  { code: 'INVALID_ARGUMENT', test: /Device \S+ excluded by a filter/i },
  // Arguments lvm2 refused.
  { code: 'INVALID_ARGUMENT', test: /name "?[^"]*"? is invalid/i },
  { code: 'INVALID_ARGUMENT', test: /Invalid argument for/i }
];

export interface Classified {
  code: ErrorCode | 'GONE' | 'SAME_SIZE';
  reason: string;
}

/**
 * The spec's code for a failed lvm2 command, or null when no known message explains it
 * (the caller then answers TOOL_FAILED). 'GONE' (pvremove of a device that is no PV) and
 * 'SAME_SIZE' (a resize to the size it has) are for the caller to treat as done.
 */
export function classifyLvmFailure(result: Pick<CommandResult, 'stdout' | 'stderr' | 'exitCode'>, kind: LvmOperationKind): Classified | null {
  const lines = reasonLines(result);
  for (const rule of RULES) {
    if (rule.kinds && !rule.kinds.includes(kind)) continue;
    const line = lines.find((l) => rule.test.test(l));
    if (line !== undefined) return { code: rule.code, reason: line };
  }
  return null;
}
