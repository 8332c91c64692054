// Test helpers for the lsblk scriptlets: a scriptlet context that answers from a list of
// recorded calls (no sandbox, no tool) or runs the real command, and loop-device fixtures.
import { execa } from 'execa';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shellOver } from '../../../runner/scriptlet/api.js';
import type { ExecCall } from '../../../runner/golden/types.js';
import type { CommandOptions, CommandResult, ScriptletContext, Shell } from '../../../runner/scriptlet/api.js';

export const RECORDINGS = process.env.STORAGE_AGENT_RECORDINGS ?? '/work/shared/recordings';

export interface Recording {
  tool: string;
  version: string;
  argv: string[];
  env: Record<string, string>;
  exitCode: number;
  stdout: string;
  stderr: string;
  source: string;
  note: string;
}

export function recordingPath(version: string, file: string): string {
  return join(RECORDINGS, `lsblk-${version}`, file);
}

export function haveRecordings(): boolean {
  return existsSync(join(RECORDINGS, 'lsblk-2.33.1'));
}

export function loadRecording(version: string, file: string): Recording {
  return JSON.parse(readFileSync(recordingPath(version, file), 'utf8')) as Recording;
}

export function commandResult(argv: string[], exitCode: number, stdout: string, stderr: string): CommandResult {
  return { argv, exitCode, signal: null, stdout, stderr, failed: exitCode !== 0, timedOut: false, truncated: false };
}

export type { ExecCall } from '../../../runner/golden/types.js';

const shellOf = shellOver;

function context(run: (argv: string[], options: CommandOptions) => Promise<CommandResult>, toolVersion: string): ScriptletContext {
  return {
    $: shellOf(run),
    query: shellOf(run),
    fs: null,
    host: { deviceMapper: false, root: true },
    dryRun: false,
    toolVersion,
    progress: () => undefined
  };
}

/**
 * A context whose commands are answered from `calls` in order; a command whose argv differs from
 * the next call, or one past the end, throws (the test then fails).
 */
export function replayContext(calls: readonly ExecCall[], toolVersion: string): { ctx: ScriptletContext; used: () => number } {
  let i = 0;
  const ctx = context(async (argv) => {
    const call = calls[i];
    if (!call) throw new Error(`unexpected command ${JSON.stringify(argv)}: transcript has ${calls.length} calls`);
    if (JSON.stringify(call.argv) !== JSON.stringify(argv)) {
      throw new Error(`command ${i} differs: ran ${JSON.stringify(argv)}, transcript has ${JSON.stringify(call.argv)}`);
    }
    i++;
    return {
      argv,
      exitCode: call.exitCode,
      signal: call.signal,
      stdout: call.stdout,
      stderr: call.stderr,
      failed: call.exitCode !== 0 || call.timedOut || call.signal !== null,
      timedOut: call.timedOut,
      truncated: false
    };
  }, toolVersion);
  return { ctx, used: () => i };
}

export const FIXED_ENV = { LC_ALL: 'C', LANG: 'C', PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' };

/** A context running the real tools (LC_ALL=C, fixed PATH, no shell) and recording every call. */
export function realContext(toolVersion: string): { ctx: ScriptletContext; calls: ExecCall[] } {
  const calls: ExecCall[] = [];
  const ctx = context(async (argv, options) => {
    const r = await execa(argv[0] as string, argv.slice(1), {
      reject: false,
      extendEnv: false,
      env: FIXED_ENV,
      input: options.stdin,
      stdin: options.stdin === undefined ? 'ignore' : 'pipe',
      stripFinalNewline: false,
      encoding: 'utf8'
    });
    const exitCode = typeof r.exitCode === 'number' ? r.exitCode : null;
    const res: CommandResult = {
      argv,
      exitCode,
      signal: r.signal ?? null,
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
      failed: exitCode !== 0,
      timedOut: false,
      truncated: false
    };
    calls.push({ kind: 'exec', argv, stdin: options.stdin ?? null, exitCode, signal: res.signal, timedOut: false, stdout: res.stdout, stderr: res.stderr });
    return res;
  }, toolVersion);
  return { ctx, calls };
}

async function sh(file: string, args: string[], input?: string): Promise<string> {
  const r = await execa(file, args, { env: FIXED_ENV, extendEnv: false, input, reject: true });
  return String(r.stdout).trim();
}

export interface LoopFixture {
  dir: string;
  /** /dev/loopN with a GPT label and two partitions. */
  disk: string;
  partitions: string[];
  /** Sizes in bytes: disk, p1, p2. */
  sizes: { disk: number; p1: number; p2: number };
  /** A second, read-only loop device without partitions (null unless asked for). */
  readOnly: string | null;
  readOnlySize: number;
  mountpoint: string | null;
  cleanup(): Promise<void>;
}

const MiB = 1024 * 1024;

/**
 * Attach a 64 MiB sparse image with a GPT label and partitions of 16 and 24 MiB. This kernel has
 * no GPT parser, so the partitions are added with partx -a when `losetup -P` made none. Optionally
 * an ext4 on p1 mounted under the temp dir, and an 8 MiB read-only loop device. Everything is
 * undone by cleanup(), by exact device path (never losetup -D).
 */
export async function attachGptLoop(opts: { mount?: boolean; readOnly?: boolean } = {}): Promise<LoopFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'lsblk-test-'));
  const undo: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const f of undo.reverse()) {
      try {
        await f();
      } catch {
        // keep undoing the rest
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const img = join(dir, 'disk.img');
    writeFileSync(img, '');
    await sh('truncate', ['-s', `${64 * MiB}`, img]);
    await sh('sfdisk', ['-q', img], 'label: gpt\nsize=16MiB, type=L\nsize=24MiB, type=S\n');
    const disk = await sh('losetup', ['-f', '-P', '--show', img]);
    undo.push(async () => {
      await sh('losetup', ['-d', disk]);
    });
    const base = disk.replace('/dev/', '');
    const partitions = [`${disk}p1`, `${disk}p2`];
    if (!existsSync(`/sys/block/${base}/${base}p1`)) {
      await sh('partx', ['-a', disk]);
      undo.push(async () => {
        await sh('partx', ['-d', disk]);
      });
    }
    let mountpoint: string | null = null;
    if (opts.mount) {
      await sh('mkfs.ext4', ['-q', '-F', partitions[0] as string]);
      mountpoint = join(dir, 'mnt');
      await sh('mkdir', [mountpoint]);
      await sh('mount', [partitions[0] as string, mountpoint]);
      const mp = mountpoint;
      undo.push(async () => {
        await sh('umount', [mp]);
      });
    }
    let readOnly: string | null = null;
    if (opts.readOnly) {
      const roImg = join(dir, 'ro.img');
      writeFileSync(roImg, '');
      await sh('truncate', ['-s', `${8 * MiB}`, roImg]);
      readOnly = await sh('losetup', ['-f', '-r', '--show', roImg]);
      const ro = readOnly;
      undo.push(async () => {
        await sh('losetup', ['-d', ro]);
      });
    }
    return {
      dir,
      disk,
      partitions,
      sizes: { disk: 64 * MiB, p1: 16 * MiB, p2: 24 * MiB },
      readOnly,
      readOnlySize: 8 * MiB,
      mountpoint,
      cleanup
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** Root and the tools this fixture needs: the real-tool tests skip without them. */
export async function canUseLoopDevices(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'not root';
  for (const tool of ['losetup', 'sfdisk', 'partx', 'lsblk', 'truncate']) {
    const r = await execa('which', [tool], { reject: false, env: FIXED_ENV, extendEnv: false });
    if (r.exitCode !== 0) return `${tool} is not installed`;
  }
  return null;
}
