// Resolve a declared binary on the fixed PATH (never the caller's), once per process.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { FIXED_PATH } from './run-command.js';

export function resolveBinary(name: string, searchPath: string = FIXED_PATH): string | null {
  if (name.includes('/') || name === '' || name.startsWith('-')) return null;
  for (const dir of searchPath.split(':')) {
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return null;
}
