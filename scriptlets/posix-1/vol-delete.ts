import { defineScriptlet, done, fail, fsFailed } from '../../runner/scriptlet/api.js';

// Removing the file is the whole job; a symlink is removed as a link, never followed.
export default defineScriptlet({
  operation: 'vol.delete',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run(ctx, input) {
    if (!ctx.fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
    const r = await ctx.fs.unlink(input.volume.name);
    return r.ok ? done({}) : fsFailed(r);
  }
});
