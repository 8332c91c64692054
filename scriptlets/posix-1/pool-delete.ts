import { defineScriptlet, done, fail, fsFailed } from '../../runner/scriptlet/api.js';

// Deleting a dir pool removes its (empty) target directory, as libvirt does; volumes must be
// deleted first (POOL_BUSY otherwise).
export default defineScriptlet({
  operation: 'pool.delete',
  poolTypes: ['dir', 'netfs'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run(ctx) {
    if (!ctx.fs) return fail('INVALID_ARGUMENT', 'a dir pool needs a target path');
    const st = await ctx.fs.statRoot();
    if (!st.ok) return fsFailed(st);
    if (!st.value) return done({});
    const r = await ctx.fs.rmdirRoot();
    if (!r.ok && r.code === 'POOL_BUSY') return fail('POOL_BUSY', `target ${ctx.fs.root} is not empty: delete its volumes first`);
    return r.ok ? done({}) : fsFailed(r);
  }
});
