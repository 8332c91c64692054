import { defineScriptlet, done, fail, fsFailed } from '../../runner/scriptlet/api.js';

// Sizes of the file system holding the target, as libvirt reports them (statvfs): capacity =
// blocks, allocation = blocks - free, available = blocks available to unprivileged users.
export default defineScriptlet({
  operation: 'pool.refresh',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run(ctx) {
    if (!ctx.fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
    const u = await ctx.fs.usage();
    return u.ok ? done({ sizes: u.value }) : fsFailed(u);
  }
});
