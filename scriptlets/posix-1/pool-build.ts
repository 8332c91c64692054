import { defineScriptlet, done, fail, fsFailed } from '../../runner/scriptlet/api.js';
import { parseMode } from '../lib/permissions.js';

// A dir pool is built by making its target directory (libvirt: mkdir -p, then the target's
// permissions; default mode 0711 like libvirt). An existing directory is not "data" to protect,
// so building over one only sets its mode.
export default defineScriptlet({
  operation: 'pool.build',
  poolTypes: ['dir', 'netfs'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run(ctx, input) {
    if (!ctx.fs) return fail('INVALID_ARGUMENT', 'a dir pool needs a target path');
    const st = await ctx.fs.statRoot();
    if (!st.ok) return fsFailed(st);
    if (st.value && st.value.type !== 'dir') return fail('INVALID_ARGUMENT', `target ${ctx.fs.root} exists and is not a directory`);
    const mode = parseMode(input.pool.target?.permissions?.mode, 0o711);
    const made = await ctx.fs.mkdirRoot(mode);
    return made.ok ? done({}) : fsFailed(made);
  }
});
