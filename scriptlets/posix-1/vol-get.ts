import { defineScriptlet, done, fail, fsFailed, isPartialName } from '../../runner/scriptlet/api.js';
import { describeFile } from '../lib/file-volume.js';

export default defineScriptlet({
  operation: 'vol.get',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run(ctx, input) {
    if (!ctx.fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
    // A volume being made (partial name) is not a volume yet.
    if (isPartialName(input.name)) return fail('NO_VOLUME', `no volume ${input.name} in pool ${input.pool.name}`);
    const st = await ctx.fs.stat(input.name);
    if (!st.ok) return fsFailed(st);
    if (!st.value) return fail('NO_VOLUME', `no volume ${input.name} in pool ${input.pool.name}`);
    const v = await describeFile(ctx.fs, st.value);
    if (!v.ok) return fsFailed(v);
    if (!v.value) return fail('NO_VOLUME', `${input.name} in pool ${input.pool.name} is not a volume (${st.value.type})`);
    return done({ volume: v.value });
  }
});
