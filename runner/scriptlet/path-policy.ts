// The paths a command may name in a file-based pool: inside the pool's target, its source
// devices, or volumes the request names. Pure: the runner applies it to every command.
import { isAbsolute, resolve, sep } from 'node:path';

/** Absolute paths a mutating command may name in a file-based pool: inside the target, its source devices, or volumes the input names. */
export function allowedPaths(fsRoot: string, input: unknown): string[] {
  const out = [resolve(fsRoot)];
  const add = (v: unknown) => {
    if (v && typeof v === 'object') {
      const p = (v as { path?: unknown }).path;
      if (typeof p === 'string' && isAbsolute(p)) out.push(resolve(p));
      const b = (v as { backingStore?: { path?: unknown } }).backingStore;
      if (b && typeof b.path === 'string' && isAbsolute(b.path)) out.push(resolve(b.path));
    }
  };
  if (input && typeof input === 'object') {
    const i = input as Record<string, unknown>;
    // The pool's own source devices (mkfs, mount of an fs pool) are the pool's to change.
    const pool = i['pool'] as { source?: { devices?: { path?: unknown }[]; dir?: unknown; hosts?: { name?: unknown }[] } } | undefined;
    for (const d of pool?.source?.devices ?? []) add(d);
    const dir = pool?.source?.dir;
    if (typeof dir === 'string') {
      add({ path: dir });
      // A CIFS share is named //host/share: it names no local path.
      for (const h of pool?.source?.hosts ?? []) if (typeof h.name === 'string') add({ path: `//${h.name}/${dir.replace(/^\/+/, '')}` });
    }
    add(i['from']);
    add(i['volume']);
    add(i['backingStore'] ? { path: (i['backingStore'] as { path?: unknown }).path } : undefined);
  }
  return out;
}

export function pathAllowed(arg: string, fsRoot: string, allowed: readonly string[]): boolean {
  const abs = resolve(arg);
  const root = resolve(fsRoot);
  if (abs === root || abs.startsWith(root + sep)) return true;
  return allowed.includes(abs);
}
