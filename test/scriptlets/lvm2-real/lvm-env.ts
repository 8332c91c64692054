// A private LVM world for tests on the real lvm2: two loop devices over sparse files, an
// lvm.conf (LVM_SYSTEM_DIR) whose device filter accepts only them, with its own backup and
// archive directories, so nothing of the host's LVM setup is read or written. Teardown removes
// the VG and PVs it may have left, detaches the loop devices (by path, only ours) and the files.
import { execa } from 'execa';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, closeSync, openSync, constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LvmEnv {
  dir: string;
  devices: string[];
  vg: string;
  /** LVM_SYSTEM_DIR for every lvm2 command of the test. */
  systemDir: string;
  /**
   * For the agent (STORAGE_AGENT_TOOL_PATH): a directory of lvm2 commands that run the real
   * /sbin/lvm with LVM_SYSTEM_DIR set, first, then the runner's fixed PATH. The runner gives
   * tools a clean environment, so this is how a test points lvm2 at its private lvm.conf.
   */
  toolPath: string;
  teardown(): Promise<void>;
}

export interface LvmEnvOptions {
  sizesMiB?: number[];
  vg?: string;
  /** Loop devices to use when free (e.g. the recordings' /dev/loop0 and /dev/loop1). */
  prefer?: string[];
}

export const LVM_COMMANDS = ['lvm', 'pvs', 'vgs', 'lvs', 'pvcreate', 'vgcreate', 'vgremove', 'pvremove', 'vgchange', 'lvcreate', 'lvremove', 'lvresize', 'lvextend', 'lvreduce', 'lvrename'];

const FIXED_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Why real lvm2 tests cannot run here, or null when they can. */
export function lvmUnavailable(): string | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root';
  for (const b of ['/sbin/lvm', '/usr/sbin/lvm']) if (existsSync(b)) return existsSync('/sbin/losetup') || existsSync('/usr/sbin/losetup') ? null : 'no losetup';
  return 'lvm2 is not installed';
}

export function hasDeviceMapper(): boolean {
  try {
    closeSync(openSync('/dev/mapper/control', constants.O_RDWR));
    return true;
  } catch {
    return false;
  }
}

function lvmBinary(): string {
  return existsSync('/sbin/lvm') ? '/sbin/lvm' : '/usr/sbin/lvm';
}

export async function makeLvmEnv(opts: LvmEnvOptions = {}): Promise<LvmEnv> {
  const sizesMiB = opts.sizesMiB ?? [64, 64];
  const dir = mkdtempSync(join(tmpdir(), 'sa-lvm-'));
  const id = dir.slice(-6).replace(/[^A-Za-z0-9]/g, 'x');
  const devices: string[] = [];
  const systemDir = join(dir, 'lvmsys');
  const vg = opts.vg ?? `savg_${id}`;
  const tools = join(dir, 'tools');
  const env = { LC_ALL: 'C', PATH: FIXED_PATH, LVM_SYSTEM_DIR: systemDir };
  const teardown = async () => {
    // Only what this env made: its VG, its PVs, its loop devices.
    if (devices.length) {
      await execa('vgremove', ['-f', '--config', 'global{activation=0}', vg], { env, extendEnv: false, reject: false, stdin: 'ignore' });
      await execa('pvremove', ['-ff', '-y', '--config', 'global{activation=0}', ...devices], { env, extendEnv: false, reject: false, stdin: 'ignore' });
    }
    for (const d of devices) await execa('losetup', ['-d', d], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const [i, mib] of sizesMiB.entries()) {
      const img = join(dir, `pv${i}.img`);
      writeFileSync(img, '');
      await execa('truncate', ['-s', `${mib}M`, img]);
      const want = opts.prefer?.[i];
      if (want && (await execa('losetup', [want, img], { reject: false })).exitCode === 0) {
        devices.push(want);
        continue;
      }
      const r = await execa('losetup', ['-f', '--show', img]);
      devices.push(r.stdout.trim());
    }
    mkdirSync(tools);
    for (const c of LVM_COMMANDS) {
      const w = join(tools, c);
      const sub = c === 'lvm' ? '' : ` ${c}`;
      writeFileSync(w, `#!/bin/sh\nLVM_SYSTEM_DIR='${systemDir}' exec ${lvmBinary()}${sub} "$@"\n`);
      chmodSync(w, 0o755);
    }
    mkdirSync(systemDir);
    mkdirSync(join(dir, 'backup'));
    mkdirSync(join(dir, 'archive'));
    const accept = devices.map((d) => `"a|^${d}$|"`).join(', ');
    writeFileSync(
      join(systemDir, 'lvm.conf'),
      [
        `devices { filter = [ ${accept}, "r|.*|" ] global_filter = [ ${accept}, "r|.*|" ] use_devicesfile = 0 }`,
        `backup { backup_dir = "${join(dir, 'backup')}" archive_dir = "${join(dir, 'archive')}" }`,
        'global { use_lvmpolld = 0 event_activation = 0 }',
        'activation { udev_sync = 0 udev_rules = 0 monitoring = 0 }',
        ''
      ].join('\n')
    );
  } catch (e) {
    await teardown();
    throw e;
  }
  return { dir, devices, vg, systemDir, toolPath: `${tools}:${FIXED_PATH}`, teardown };
}
