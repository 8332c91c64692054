// Every scriptlet the agent has, by operation, tool and version range. Loaded from the compiled
// scriptlets/ tree (plus extra roots in tests); selection is by probed version.
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import type { ScriptletDef } from './api.js';
import { DIST_ROOT } from '../sandbox/host.js';

export interface RegisteredScriptlet {
  /** `<series dir>/<file>`, e.g. qemu-img-6.1/vol-create. */
  id: string;
  /** Absolute path of the compiled module (what the sandbox imports). */
  module: string;
  def: ScriptletDef;
}

export const SCRIPTLETS_DIR = join(DIST_ROOT, 'scriptlets');
export const MANIFEST = 'manifest.json';

/** What the manifest keeps of a scriptlet: everything but its code. */
export function manifestEntry(s: RegisteredScriptlet): { id: string; def: Omit<ScriptletDef, 'run'> } {
  const { run: _run, ...meta } = s.def;
  return { id: s.id, def: meta };
}

const toOpFile = (op: string) => op.replace(/\./g, '-').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
export const opFileName = toOpFile;

// Selections are cached: semver parses a range on every satisfies() call.
export class Registry {
  private selected = new Map<string, ReturnType<Registry['select']>>();

  readonly all: RegisteredScriptlet[] = [];

  /**
   * `import` loads every module (check and tests need their code); `manifest` reads the list the
   * build wrote (dist/scriptlets/manifest.json), so a one-shot CLI call does not import a hundred
   * modules it will never run here (the sandbox imports the one it runs). Falls back to import.
   */
  static async load(dirs: readonly string[] = [SCRIPTLETS_DIR], mode: 'import' | 'manifest' = 'import'): Promise<Registry> {
    const reg = new Registry();
    const manifest = join(SCRIPTLETS_DIR, MANIFEST);
    if (mode === 'manifest' && dirs.length === 1 && dirs[0] === SCRIPTLETS_DIR && existsSync(manifest)) {
      const entries = JSON.parse(readFileSync(manifest, 'utf8')) as { id: string; def: ScriptletDef }[];
      for (const e of entries) reg.all.push({ id: e.id, module: resolve(SCRIPTLETS_DIR, `${e.id}.js`), def: e.def });
      return reg;
    }
    for (const dir of dirs) {
      if (!existsSync(dir)) continue;
      for (const series of readdirSync(dir, { withFileTypes: true })) {
        // lib/ holds pure helpers shared by scriptlets, not scriptlets.
        if (!series.isDirectory() || series.name === 'lib') continue;
        for (const f of readdirSync(join(dir, series.name)).filter((x) => x.endsWith('.js')).sort()) {
          const module = resolve(dir, series.name, f);
          const mod = (await import(pathToFileURL(module).href)) as { default?: ScriptletDef };
          if (!mod.default) continue;
          reg.all.push({ id: `${series.name}/${f.replace(/\.js$/, '')}`, module, def: mod.default });
        }
      }
    }
    return reg;
  }

  byId(id: string): RegisteredScriptlet | undefined {
    return this.all.find((s) => s.id === id);
  }

  candidates(op: string, poolType: string, tool: string): RegisteredScriptlet[] {
    return this.all.filter((s) => s.def.operation === op && s.def.tool === tool && s.def.poolTypes.includes(poolType as never));
  }

  /** The scriptlet whose range holds the version, or why none does. */
  select(op: string, poolType: string, tool: string, normalized: string): { ok: true; scriptlet: RegisteredScriptlet } | { ok: false; ranges: string[] } {
    const key = `${op}\0${poolType}\0${tool}\0${normalized}`;
    const hit = this.selected.get(key);
    if (hit) return hit;
    const r = this.selectNow(op, poolType, tool, normalized);
    this.selected.set(key, r);
    return r;
  }

  private selectNow(op: string, poolType: string, tool: string, normalized: string): { ok: true; scriptlet: RegisteredScriptlet } | { ok: false; ranges: string[] } {
    const c = this.candidates(op, poolType, tool);
    const found = c.find((s) => semver.satisfies(normalized, s.def.versions));
    if (found) return { ok: true, scriptlet: found };
    return { ok: false, ranges: c.map((s) => `${s.id} (${s.def.versions})`) };
  }
}
