// Build step (after tsc): the list of compiled scriptlets with their declarations, so the runner
// can select without importing every module (runner/scriptlet/registry.ts, mode 'manifest').
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Registry, SCRIPTLETS_DIR, MANIFEST, manifestEntry } = await import(join(root, 'dist', 'runner', 'scriptlet', 'registry.js'));
const reg = await Registry.load([SCRIPTLETS_DIR], 'import');
writeFileSync(join(SCRIPTLETS_DIR, MANIFEST), JSON.stringify(reg.all.map(manifestEntry)));
