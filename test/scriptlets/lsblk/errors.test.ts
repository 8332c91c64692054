// Failure mapping: the recorded error runs (14-16, and the PATH column on releases before 2.33)
// and each scriptlet's handling of failed, timed-out and unreadable runs.
import t from 'tap';
import { lsblkFailure } from '../../../scriptlets/lib/lsblk.js';
import type { CommandResult } from '../../../runner/scriptlet/api.js';
import { commandResult, haveRecordings, loadRecording, replayContext, type ExecCall } from './helpers.js';
import { SERIES } from './series.js';

const OLD = ['2.27.1', '2.31.1', '2.32.1', '2.33.1'];

const fromRecording = (v: string, file: string): CommandResult => {
  const r = loadRecording(v, file);
  return commandResult(r.argv, r.exitCode, r.stdout, r.stderr);
};

t.test('recorded errors map to codes', { skip: haveRecordings() ? false : 'recordings not found' }, async (t) => {
  for (const v of OLD) {
    const missing = lsblkFailure(fromRecording(v, '14-missing-device.json'), 'lsblk');
    t.equal(missing.code, 'NO_VOLUME', `${v}: missing device`);
    t.match(missing.message, /\/dev\/nosuchdev: not a block device/);
    t.equal(missing.command?.exitCode, 32);
    t.equal(lsblkFailure(fromRecording(v, '15-not-a-block-device.json'), 'lsblk').code, 'NO_VOLUME', `${v}: regular file`);
    const col = lsblkFailure(fromRecording(v, '16-unknown-column.json'), 'lsblk');
    t.equal(col.code, 'UNSUPPORTED', `${v}: unknown column`);
    t.match(col.message, /unknown column: NOSUCHCOL/);
  }
  for (const v of ['2.27.1', '2.31.1', '2.32.1']) {
    for (const file of ['02-json-bytes-path.json', '05-pairs-bytes-path.json']) {
      const r = fromRecording(v, file);
      t.equal(r.exitCode, 1, `${v} ${file}: failed`);
      t.equal(lsblkFailure(r, 'lsblk').code, 'UNSUPPORTED', `${v} ${file}: PATH did not exist before 2.33`);
    }
  }
});

t.test('other failures', async (t) => {
  const argv = ['lsblk', '--json'];
  t.equal(lsblkFailure(commandResult(argv, 1, '', "lsblk: unrecognized option '--json'\n"), 'lsblk').code, 'UNSUPPORTED');
  t.equal(lsblkFailure(commandResult(argv, 1, '', 'lsblk: invalid option -- \'J\'\n'), 'lsblk').code, 'UNSUPPORTED');
  t.equal(lsblkFailure(commandResult(argv, 1, '', 'lsblk: /dev/sda: Permission denied\n'), 'lsblk').code, 'PERMISSION_DENIED');
  const other = lsblkFailure(commandResult(argv, 1, '', 'lsblk: failed to access sysfs directory: /sys/dev/block\n'), 'lsblk');
  t.equal(other.code, 'TOOL_FAILED');
  t.match(other.message, /exit 1.*failed to access sysfs directory/);
  t.equal(lsblkFailure(commandResult(argv, 1, '', 'lsblk: not a block device\n'), 'lsblk').code, 'TOOL_FAILED', 'exit 1 is not the not-found exit code');
  const killed = { ...commandResult(argv, null as unknown as number, '', ''), exitCode: null, signal: 'SIGKILL', failed: true, timedOut: true };
  t.equal(lsblkFailure(killed, 'lsblk').code, 'TIMEOUT');
});

t.test('every scriptlet maps failures and bad output', async (t) => {
  for (const s of SERIES) {
    const argv = s.argv();
    const run = async (call: Partial<ExecCall>) => {
      const calls: ExecCall[] = [{ kind: 'exec', argv, stdin: null, exitCode: 0, signal: null, timedOut: false, stdout: '', stderr: '', ...call }];
      const { ctx, used } = replayContext(calls, '0');
      const r = await s.def.run(ctx, {});
      t.equal(used(), 1, `${s.id}: ran its one command`);
      return r;
    };
    const unknown = await run({ exitCode: 1, stderr: `lsblk: unknown column: ${s.columns.slice(1).join(',')}\n` });
    t.same(!unknown.ok && unknown.error.code, 'UNSUPPORTED', `${s.id}: unknown column`);
    t.same(!unknown.ok && unknown.error.command?.argv, argv, `${s.id}: error names the command`);
    const crash = await run({ exitCode: 139, signal: null, stderr: '' });
    t.same(!crash.ok && crash.error.code, 'TOOL_FAILED', `${s.id}: crash`);
    const slow = await run({ exitCode: null, signal: 'SIGKILL', timedOut: true });
    t.same(!slow.ok && slow.error.code, 'TIMEOUT', `${s.id}: timeout`);
    const garbage = await run({ stdout: 'Segmentation fault? no: human text\n' });
    t.same(!garbage.ok && garbage.error.code, 'TOOL_FAILED', `${s.id}: unreadable output`);
    t.match(!garbage.ok && garbage.error.message, /could not read lsblk/, `${s.id}: says what it could not read`);
    const empty = await run({ stdout: s.form === 'pairs' ? '' : '{"blockdevices": []}\n', stderr: 'lsblk: dm-7: failed to get device path\n' });
    t.same(empty, { ok: true, value: { volumes: [] } }, `${s.id}: warnings on stderr do not break parsing`);
  }
});
