// The file-volume cache answers only while the file is the very same one.
import t from 'tap';
import { writeFileSync, rmSync, renameSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { VolumeCache } from '../../../runner/service/volume-cache.js';
import { tempDir } from '../../helpers/paths.js';

t.test('hits while unchanged, misses after any change', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'a.img');
  writeFileSync(path, 'x');
  const cache = new VolumeCache();
  const vol = { name: 'a.img', key: path, path, type: 'file' as const, capacity: 1, allocation: 4096, format: 'raw' };
  cache.put('u', vol);
  t.same(cache.get('u', 'a.img', path), vol, 'unchanged file: hit');
  t.equal(cache.get('v', 'a.img', path), null, 'other pool: miss');
  writeFileSync(path, 'xy');
  t.equal(cache.get('u', 'a.img', path), null, 'rewritten: miss');
  cache.put('u', vol);
  utimesSync(path, new Date(1000), new Date(1000));
  t.equal(cache.get('u', 'a.img', path), null, 'touched: miss');
  cache.put('u', vol);
  writeFileSync(join(dir, 'b.img'), 'xy');
  renameSync(join(dir, 'b.img'), path);
  t.equal(cache.get('u', 'a.img', path), null, 'replaced by another file: miss');
  cache.put('u', vol);
  rmSync(path);
  t.equal(cache.get('u', 'a.img', path), null, 'deleted: miss');
});
