// Fake storage tools for fault injection: one small sh script, installed under each tool's name
// in a temporary directory that a test puts on STORAGE_AGENT_TOOL_PATH. Each fake answers its
// version probe with a real version line (so the agent selects the series it would on this host)
// and otherwise does what its control files say. The control directory sits beside the fakes, so
// the agent's fixed environment (LC_ALL, PATH) needs nothing passed.
//
// ctl/<tool>.mode      ok | real | fail | hang | orphan | escape | garbage | truncated | warnings
//                      | huge | huge-stderr | signal          (default ok)
// ctl/<tool>.version   what the probe prints (copied from the real tool on this host)
// ctl/<tool>.probe     "noversion": the probe prints no version line
// ctl/<tool>.stdout    what `ok` (and `warnings`, `truncated`) print
// ctl/huge.out        17 MB printed by `huge` and `huge-stderr` (over the 16 MiB cap)
// ctl/<tool>.touch     a path written with a few bytes before misbehaving (a half-made output)
// ctl/<tool>.pids      pids of every process a hang started, one a line
// ctl/calls            one line per call: pid, tool, argv
// ctl/fds/<tool>.<pid> the call's open descriptors (ls -l /proc/self/fd), when ctl/record-fds exists
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lstatSync } from 'node:fs';

export const FAKE_SCRIPT = `#!/bin/sh
# The probe runs tools with PATH = the tool path (only fakes): the fake's own helpers are real.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
name=\${0##*/}
ctl=\${0%/*}/../ctl
echo "$$ $name $*" >> "$ctl/calls"
if [ -e "$ctl/record-fds" ]; then
  mkdir -p "$ctl/fds"
  ls -l /proc/self/fd > "$ctl/fds/$name.$$" 2>&1
fi
case "$name $*" in
  "qemu-img --version"|"lvm version"|"parted --version"|"lsblk --version"|"blkid -V"|"dd --version"|"fallocate --version"|"mount --version")
    if [ "$(cat "$ctl/$name.probe" 2>/dev/null)" = noversion ]; then echo "$name: cannot tell"; exit 0; fi
    cat "$ctl/$name.version"
    exit 0;;
esac
mode=$(cat "$ctl/$name.mode" 2>/dev/null || echo ok)
half() {
  if [ -f "$ctl/$name.touch" ]; then printf 'half-written' > "$(cat "$ctl/$name.touch")"; fi
}
canned() {
  if [ -f "$ctl/$name.stdout" ]; then cat "$ctl/$name.stdout"; fi
}
case "$mode" in
  ok)
    canned; exit 0;;
  real)
    for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
      if [ -x "$d/$name" ]; then exec "$d/$name" "$@"; fi
    done
    echo "$name: no real binary" >&2; exit 127;;
  fail)
    half; echo "$name: frobnication of the quux failed (code 0x2a)" >&2; echo "see the flux log" >&2; exit 3;;
  hang)
    half; echo $$ >> "$ctl/$name.pids"; sleep 1000 & echo $! >> "$ctl/$name.pids"; exec sleep 1000;;
  orphan)
    half; sleep 1000 & echo $! >> "$ctl/$name.pids"; exit 0;;
  escape)
    half; setsid sleep 1000 & echo $! >> "$ctl/$name.pids"; exit 0;;
  garbage)
    printf '\\001\\377 this is {not [json at all\\n<<<%s>>>\\n' "$name"; exit 0;;
  truncated)
    n=$(wc -c < "$ctl/$name.stdout"); head -c $((n / 2)) "$ctl/$name.stdout"; exit 0;;
  warnings)
    if [ -f "$ctl/$name.warn-stdout" ]; then cat "$ctl/$name.warn-stdout"; fi
    if [ -f "$ctl/$name.warn-stderr" ]; then cat "$ctl/$name.warn-stderr" >&2; fi
    if [ -f "$ctl/$name.stdout" ]; then canned; exit 0; fi
    for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
      if [ -x "$d/$name" ]; then exec "$d/$name" "$@"; fi
    done
    exit 0;;
  huge)
    half; cat "$ctl/huge.out"; exit 0;;
  huge-stderr)
    half; cat "$ctl/huge.out" >&2; exit 1;;
  signal)
    half; ulimit -c 0; kill -SEGV $$; sleep 5; exit 0;;
esac
echo "fake $name: unknown mode $mode" >&2
exit 99
`;

/** Version lines of the real tools on this host (Debian 12), as their probes print them. */
export const VERSION_LINES: Record<string, string> = {
  'qemu-img': 'qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n',
  lvm: '  LVM version:     2.03.16(2) (2022-05-18)\n  Library version: 1.02.185 (2022-05-18)\n',
  parted: 'parted (GNU parted) 3.5\nCopyright (C) 2022 Free Software Foundation, Inc.\nLicense GPLv3+: GNU GPL version 3 or later <https://gnu.org/licenses/gpl.html>.\n',
  lsblk: 'lsblk from util-linux 2.38.1\n',
  blkid: 'blkid from util-linux 2.38.1  (libblkid 2.38.1, 04-Aug-2022)\n',
  dd: 'dd (coreutils) 9.1\n',
  fallocate: 'fallocate from util-linux 2.38.1\n',
  mount: 'mount from util-linux 2.38.1 (libmount 2.38.1: selinux, smack, btrfs, verity, namespaces, assert, debug)\n'
};

export const FAKE_NAMES = ['qemu-img', 'lvm', 'lvs', 'vgs', 'pvs', 'parted', 'lsblk', 'blkid', 'mount', 'fallocate', 'dd'] as const;

export class FakeTools {
  readonly bin: string;
  readonly ctl: string;

  constructor(root: string, names: readonly string[] = FAKE_NAMES) {
    this.bin = join(root, 'bin');
    this.ctl = join(root, 'ctl');
    mkdirSync(this.bin, { recursive: true });
    mkdirSync(this.ctl, { recursive: true });
    // Over the runner's 16 MiB output cap.
    writeFileSync(join(this.ctl, 'huge.out'), Buffer.alloc(17_000_000, 'y'));
    for (const n of names) {
      const p = join(this.bin, n);
      writeFileSync(p, FAKE_SCRIPT);
      chmodSync(p, 0o755);
      const v = VERSION_LINES[n];
      if (v) writeFileSync(join(this.ctl, `${n}.version`), v);
    }
  }

  private file(tool: string, what: string) {
    return join(this.ctl, `${tool}.${what}`);
  }

  mode(tool: string, mode: string): void {
    writeFileSync(this.file(tool, 'mode'), mode);
  }

  set(tool: string, what: 'stdout' | 'touch' | 'probe' | 'warn-stdout' | 'warn-stderr', text: string | null): void {
    if (text === null) rmSync(this.file(tool, what), { force: true });
    else writeFileSync(this.file(tool, what), text);
  }

  /** Take a fake off the path (a missing binary) and put it back as it was (same mtime). */
  hide(tool: string): void {
    renameSync(join(this.bin, tool), join(this.ctl, `${tool}.hidden`));
  }

  unhide(tool: string): void {
    renameSync(join(this.ctl, `${tool}.hidden`), join(this.bin, tool));
  }

  /** Pids the hangs of one fake (or of all) started; the list is cleared. */
  takePids(tool?: string): number[] {
    const files = tool ? [`${tool}.pids`] : readdirSync(this.ctl).filter((f) => f.endsWith('.pids'));
    const pids: number[] = [];
    for (const name of files) {
      const f = join(this.ctl, name);
      if (!existsSync(f)) continue;
      pids.push(...readFileSync(f, 'utf8').split('\n').filter(Boolean).map(Number));
      rmSync(f);
    }
    return pids;
  }

  calls(): string[] {
    const f = join(this.ctl, 'calls');
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
  }

  recordFds(on: boolean): void {
    const f = join(this.ctl, 'record-fds');
    if (on) writeFileSync(f, '');
    else rmSync(f, { force: true });
  }

  fdListings(): { file: string; text: string }[] {
    const d = join(this.ctl, 'fds');
    if (!existsSync(d)) return [];
    return readdirSync(d).sort().map((file) => ({ file, text: readFileSync(join(d, file), 'utf8') }));
  }
}

/**
 * Descriptors other than 0-2 in an `ls -l /proc/self/fd` listing, without ls's own handle on
 * the directory it lists.
 */
export function extraFds(listing: string): string[] {
  const out: string[] = [];
  for (const line of listing.split('\n')) {
    const m = /\s(\d+) -> (.*)$/.exec(line);
    if (!m) continue;
    const fd = Number(m[1]);
    if (fd <= 2) continue;
    if (/^\/proc\/\d+\/fd$/.test(m[2] ?? '')) continue;
    out.push(`${fd} -> ${m[2]}`);
  }
  return out;
}

/** Whether a process is still alive (not gone, not a zombie waiting to be reaped). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/**
 * Lock files under a home's locks/ directory (recursively). By design (runner/state/locks.ts)
 * empty directories of shared keys stay, and so does each live agent's token file (PID-hex.token,
 * which its lock files are hard links to); anything else means a holder that never let go.
 */
export function lockFilesLeft(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (lstatSync(p).isDirectory()) {
      out.push(...lockFilesLeft(p).map((f) => `${name}/${f}`));
      continue;
    }
    const token = /^(\d+)-[0-9a-f]+\.token$/.exec(name);
    if (token && alive(Number(token[1])) && lstatSync(p).nlink === 1) continue;
    out.push(name);
  }
  return out;
}
