// Where things are, seen from a compiled test (dist/test/...).
import { dirname, resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = resolve(here, '..', '..');
export const REPO = resolve(DIST, '..');
export const GOLDEN_DIR = join(REPO, 'golden');
export const FIXTURES = join(DIST, 'test', 'fixtures');
/** ../shared beside the checkout (CI), else the workplace's copy. */
export const SHARED = existsSync(resolve(REPO, '..', 'shared')) ? resolve(REPO, '..', 'shared') : '/work/shared';
export const BIN = join(REPO, 'bin', 'storage-agent');

export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'sa-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
