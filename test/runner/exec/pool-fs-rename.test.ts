// The runner's rename (how a volume made under its partial name is published) and the atomic
// createFile: confined to the pool like every file operation, never following or moving a
// symlink, never replacing an existing entry.
import t from 'tap';
import { mkdirSync, writeFileSync, symlinkSync, readFileSync, existsSync, readdirSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../helpers/paths.js';
import { PoolFsHost } from '../../../runner/exec/pool-fs.js';
import { partialName, PARTIAL_PREFIX, isPartialName } from '../../../runner/scriptlet/api.js';

t.test('rename publishes a whole file under a free name only', async (t) => {
  const dir = tempDir(t);
  const pool = join(dir, 'pool');
  mkdirSync(pool);
  const fs = new PoolFsHost(pool);
  writeFileSync(join(pool, '.sa-partial-a.img'), 'data');
  const r = await fs.call('rename', ['.sa-partial-a.img', 'a.img']);
  t.ok(r.ok, 'renamed');
  t.equal(r.ok && (r.value as { name: string; size: number }).name, 'a.img', 'answers with the stat of the new name');
  t.equal(readFileSync(join(pool, 'a.img'), 'utf8'), 'data');
  t.notOk(existsSync(join(pool, '.sa-partial-a.img')), 'the partial name is gone');

  writeFileSync(join(pool, '.sa-partial-b.img'), 'new');
  writeFileSync(join(pool, 'b.img'), 'old');
  const taken = await fs.call('rename', ['.sa-partial-b.img', 'b.img']);
  t.equal(taken.ok ? 'ok' : taken.code, 'VOLUME_EXISTS', 'an existing volume is never replaced');
  t.equal(readFileSync(join(pool, 'b.img'), 'utf8'), 'old', 'and is left as it was');
  t.ok(existsSync(join(pool, '.sa-partial-b.img')), 'the partial stays for the caller to remove');
});

t.test('rename is confined and does not follow or move symlinks', async (t) => {
  const dir = tempDir(t);
  const pool = join(dir, 'pool');
  mkdirSync(pool);
  writeFileSync(join(dir, 'outside'), 'secret');
  const fs = new PoolFsHost(pool);
  writeFileSync(join(pool, 'x'), 'x');
  for (const [from, to] of [['x', '../y'], ['../outside', 'z'], ['x', '/tmp/y'], ['.', 'z'], ['x', '']]) {
    const r = await fs.call('rename', [from, to]);
    t.equal(r.ok ? 'ok' : r.code, 'SANDBOX_DENIED', `rename ${JSON.stringify(from)} -> ${JSON.stringify(to)} refused`);
  }
  symlinkSync(join(dir, 'outside'), join(pool, 'link'));
  const l = await fs.call('rename', ['link', 'moved']);
  t.equal(l.ok ? 'ok' : l.code, 'SANDBOX_DENIED', 'a symlink is not moved');
  t.ok(lstatSync(join(pool, 'link')).isSymbolicLink() && !existsSync(join(pool, 'moved')), 'nothing changed');
  mkdirSync(join(pool, 'd'));
  const d = await fs.call('rename', ['d', 'e']);
  t.equal(d.ok ? 'ok' : d.code, 'INVALID_ARGUMENT', 'a directory is not a volume to publish');
  const missing = await fs.call('rename', ['nope', 'e']);
  t.equal(missing.ok ? 'ok' : missing.code, 'NO_VOLUME', 'a missing source');
  t.equal(readFileSync(join(dir, 'outside'), 'utf8'), 'secret', 'nothing outside the pool was touched');
});

t.test('createFile makes the file under its partial name and links it into place', async (t) => {
  const dir = tempDir(t);
  const pool = join(dir, 'pool');
  mkdirSync(pool);
  const fs = new PoolFsHost(pool);
  // A partial left by a killed agent does not stand in the way (the caller holds the volume lock).
  writeFileSync(join(pool, partialName('v.raw')), 'stale');
  const r = await fs.call('createFile', ['v.raw', 1 << 20, 0o600]);
  t.ok(r.ok, 'created');
  t.equal(lstatSync(join(pool, 'v.raw')).size, 1 << 20, 'whole size under the real name');
  t.same(readdirSync(pool), ['v.raw'], 'no partial file left');
  const again = await fs.call('createFile', ['v.raw', 4096, 0o600]);
  t.equal(again.ok ? 'ok' : again.code, 'VOLUME_EXISTS', 'an existing name is refused');
  t.equal(lstatSync(join(pool, 'v.raw')).size, 1 << 20, 'and left as it was');
  t.same(readdirSync(pool), ['v.raw'], 'no partial file left after a refusal either');
  symlinkSync(join(dir, 'elsewhere'), join(pool, 'dangling'));
  const over = await fs.call('createFile', ['dangling', 4096, 0o600]);
  t.equal(over.ok ? 'ok' : over.code, 'VOLUME_EXISTS', 'a dangling symlink is not followed to create outside');
  t.notOk(existsSync(join(dir, 'elsewhere')), 'nothing made outside the pool');
});

t.test('partial names', async (t) => {
  t.equal(partialName('a.img'), `${PARTIAL_PREFIX}a.img`);
  t.ok(isPartialName(partialName('a.img')));
  const long = 'é'.repeat(127); // 254 bytes
  const p = partialName(long);
  t.ok(Buffer.byteLength(p) <= 255, 'a long name still gives a valid file name');
  t.match(p, /^\.sa-partial-~[0-9a-f]{16}$/, 'hashed');
  t.not(partialName(`${long.slice(1)}x`), p, 'different long names, different partials');
  t.equal(partialName(long), p, 'stable');
});
