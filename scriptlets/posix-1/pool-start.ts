import { defineScriptlet, done, fail, fsFailed } from '../../runner/scriptlet/api.js';

// Starting a dir pool only checks that its target directory is there (libvirt does the same).
export default defineScriptlet({
  operation: 'pool.start',
  poolTypes: ['dir'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run(ctx) {
    if (!ctx.fs) return fail('INVALID_ARGUMENT', 'a dir pool needs a target path');
    const st = await ctx.fs.statRoot();
    if (!st.ok) return fsFailed(st);
    if (!st.value) return fail('INVALID_ARGUMENT', `target directory ${ctx.fs.root} does not exist: build the pool first (pool.build)`);
    if (st.value.type !== 'dir') return fail('INVALID_ARGUMENT', `target ${ctx.fs.root} is not a directory`);
    return done({});
  }
});
