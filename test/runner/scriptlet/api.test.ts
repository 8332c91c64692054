import t from 'tap';
import { templateToArgv } from '../../../runner/scriptlet/api.js';

const argv = (s: TemplateStringsArray, ...v: (string | number | string[])[]) => templateToArgv(s, v);

t.test('literal text splits on white space, interpolations are single arguments', async (t) => {
  t.same(argv`qemu-img create -f ${'qcow2'} -- ${'/p/a b; rm -rf /'} ${1024}`, ['qemu-img', 'create', '-f', 'qcow2', '--', '/p/a b; rm -rf /', '1024']);
});

t.test('text touching an interpolation joins it', async (t) => {
  t.same(argv`lvcreate -L${512}b -n ${'x'}`, ['lvcreate', '-L512b', '-n', 'x']);
  t.same(argv`a --opt=${'$(reboot)'}`, ['a', '--opt=$(reboot)']);
});

t.test('arrays are several arguments; empty strings stay arguments', async (t) => {
  t.same(argv`${['qemu-img', 'info']} ${''} x`, ['qemu-img', 'info', '', 'x']);
  t.same(argv`  spaced   out  `, ['spaced', 'out']);
});
