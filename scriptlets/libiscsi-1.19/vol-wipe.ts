import { defineScriptlet, done, fail, toolFailed } from '../../runner/scriptlet/api.js';
import { lunOfName, portalOf } from './portal.js';
import { classifyIscsiError } from './iscsi-ls.js';
import { wipeArgv } from './wipe-argv.js';
import { qemuImgProgress } from '../lib/qemu-img.js';

// Zeros over the whole LUN, written from userspace like libvirt's iscsi-direct wipe (WRITE(16) of
// zero blocks). libiscsi-bin has no writing tool, so QEMU's libiscsi driver does the writes:
// `qemu-img convert -p -n -S 0` (progress reported) from a null-co source that reads zeros onto the LUN (Debian:
// qemu-block-extra). Only the zero algorithm, as in libvirt.
export default defineScriptlet({
  operation: 'vol.wipe',
  poolTypes: ['iscsi-direct'],
  tool: 'libiscsi',
  versions: '>=1.19.0 <2.0.0',
  why: 'libiscsi 1.19.0 is the release run here; the writes go through qemu-img (QEMU 4.2 on: null-co read-zeroes, --target-image-opts, iscsi password-secret).',
  binaries: ['qemu-img'],
  run: async (ctx, input) => {
    if (input.algorithm !== 'zero') return fail('UNSUPPORTED', `wipe algorithm ${input.algorithm} is not offered for iscsi-direct volumes (only zero, as in libvirt)`);
    const lun = lunOfName(input.volume.name);
    if (lun === null) return fail('NO_VOLUME', `${input.volume.name} is not an iscsi-direct volume name (unit:0:0:LUN)`);
    const portal = portalOf(input.pool);
    if (!portal.ok) return fail('INVALID_ARGUMENT', portal.message);
    const r = await ctx.$.with(qemuImgProgress(ctx))`qemu-img ${wipeArgv(portal.value, lun, input.volume.capacity)}`;
    if (!r.failed) return done({});
    if (/Unknown protocol|Unknown driver 'iscsi'/.test(r.stderr)) return fail('TOOL_MISSING', 'qemu-img has no iscsi driver: install qemu-block-extra', r);
    const c = classifyIscsiError(r.stderr);
    return c.code === 'TOOL_FAILED' ? toolFailed(r, `wiping LUN ${lun}`) : fail(c.code, `wiping LUN ${lun}: ${c.message}`, r);
  }
});
