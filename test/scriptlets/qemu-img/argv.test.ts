// The qemu-img argv builders, per series: before 6.1 `-b` goes alone (the backing format is probed
// by qemu-img), from 6.1 `-F` always follows it. Paths are absolute, so no `--` is used.
import t from 'tap';
import { convertArgv, createArgv, resizeArgv } from '../../../scriptlets/lib/qemu-img.js';

const OLD = { backingFormatFlag: false, extendedL2: false };
const NEW = { backingFormatFlag: true, extendedL2: true };

t.test('create', async (t) => {
  t.same(createArgv(OLD, '/p/a.qcow2', 'qcow2', 1073741824), ['qemu-img', 'create', '-f', 'qcow2', '/p/a.qcow2', '1073741824']);
  t.same(createArgv(NEW, '/p/a.qcow2', 'qcow2', 1073741824), ['qemu-img', 'create', '-f', 'qcow2', '/p/a.qcow2', '1073741824'], 'no backing: the series agree');
  t.same(createArgv(OLD, '/p/a.qcow2', 'qcow2', 67108864, undefined, ['preallocation=metadata', 'compat=0.10']), ['qemu-img', 'create', '-f', 'qcow2', '-o', 'preallocation=metadata,compat=0.10', '/p/a.qcow2', '67108864'], 'image options as one -o list');
  t.same(createArgv(OLD, '/p/a.qcow2', 'qcow2', 0, undefined, []), ['qemu-img', 'create', '-f', 'qcow2', '/p/a.qcow2', '0'], 'no options, no -o');
});

t.test('create over a backing file', async (t) => {
  const b = { path: '/p/base.qcow2', format: 'qcow2' };
  t.same(createArgv(OLD, '/p/o.qcow2', 'qcow2', null, b), ['qemu-img', 'create', '-f', 'qcow2', '-b', '/p/base.qcow2', '/p/o.qcow2'], 'before 6.1: -b alone, no size');
  t.same(createArgv(NEW, '/p/o.qcow2', 'qcow2', null, b), ['qemu-img', 'create', '-f', 'qcow2', '-b', '/p/base.qcow2', '-F', 'qcow2', '/p/o.qcow2'], '6.1: -F after -b');
  t.same(createArgv(OLD, '/p/o.qcow2', 'qcow2', 2147483648, b), ['qemu-img', 'create', '-f', 'qcow2', '-b', '/p/base.qcow2', '/p/o.qcow2', '2147483648']);
  t.same(createArgv(NEW, '/p/o.qcow2', 'qcow2', 2147483648, { path: '/p/base.img' }), ['qemu-img', 'create', '-f', 'qcow2', '-b', '/p/base.img', '-F', 'raw', '/p/o.qcow2', '2147483648'], 'unknown backing format: raw');
  t.notOk(createArgv(OLD, '/p/o.qcow2', 'qcow2', null, { path: '/p/base.img' }).includes('-F'), 'the old series never passes -F');
});

t.test('convert', async (t) => {
  t.same(convertArgv({ path: '/p/a.qcow2', format: 'qcow2' }, '/p/b.raw', 'raw'), ['qemu-img', 'convert', '-p', '-f', 'qcow2', '-O', 'raw', '/p/a.qcow2', '/p/b.raw']);
  t.same(convertArgv({ path: '/dev/loop7', format: 'raw' }, '/p/b.qcow2', 'qcow2'), ['qemu-img', 'convert', '-p', '-f', 'raw', '-O', 'qcow2', '/dev/loop7', '/p/b.qcow2']);
});

t.test('resize', async (t) => {
  t.same(resizeArgv('/p/a.qcow2', 'qcow2', 2147483648, false), ['qemu-img', 'resize', '-f', 'qcow2', '/p/a.qcow2', '2147483648']);
  t.same(resizeArgv('/p/a.qcow2', 'qcow2', 1073741824, true), ['qemu-img', 'resize', '--shrink', '-f', 'qcow2', '/p/a.qcow2', '1073741824'], '--shrink before the other options');
});

t.test('no builder uses --', async (t) => {
  const all = [
    createArgv(OLD, '/p/o.qcow2', 'qcow2', 1, { path: '/p/b', format: 'raw' }, ['compat=1.1']),
    createArgv(NEW, '/p/o.qcow2', 'qcow2', 1, { path: '/p/b', format: 'raw' }, ['compat=1.1']),
    convertArgv({ path: '/p/a', format: 'raw' }, '/p/b', 'qcow2'),
    resizeArgv('/p/a', 'raw', 1, true)
  ];
  for (const a of all) t.notOk(a.includes('--'), a.join(' '));
});
