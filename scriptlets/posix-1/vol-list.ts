import { defineScriptlet, done, fail, fsFailed, isPartialName } from '../../runner/scriptlet/api.js';
import type { Volume } from '../../runner/contracts/generated.js';
import { describeFile } from '../lib/file-volume.js';

// Every file (and directory) in the target is a volume; formats come from the file headers, as
// libvirt's refresh does, so listing costs no process per volume. Volumes being made (partial
// names, see PARTIAL_PREFIX) are not volumes yet and are never listed.
export default defineScriptlet({
  operation: 'vol.list',
  poolTypes: ['dir', 'fs', 'netfs'],
  tool: 'posix',
  versions: '>=1.0.0 <2.0.0',
  why: 'The runner\'s confined file API, version 1.',
  binaries: [],
  async run(ctx) {
    if (!ctx.fs) return fail('INVALID_ARGUMENT', 'this pool has no target directory');
    const entries = await ctx.fs.list();
    if (!entries.ok) return fsFailed(entries);
    const volumes: Volume[] = [];
    for (const st of entries.value) {
      if (isPartialName(st.name)) continue;
      const v = await describeFile(ctx.fs, st);
      if (!v.ok) {
        // A file removed between listing and reading is simply gone.
        if (v.code === 'NO_VOLUME') continue;
        return fsFailed(v);
      }
      if (v.value) volumes.push(v.value);
    }
    return done({ volumes });
  }
});
