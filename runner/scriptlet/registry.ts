// Every scriptlet the agent has, by operation, tool and version range. Loaded from the compiled
// scriptlets/ tree (plus extra roots in tests); selection is by probed version.
import { readdirSync, existsSync } from 'node:fs';
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

const toOpFile = (op: string) => op.replace(/\./g, '-').replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
export const opFileName = toOpFile;

export class Registry {
  readonly all: RegisteredScriptlet[] = [];

  static async load(dirs: readonly string[] = [SCRIPTLETS_DIR]): Promise<Registry> {
    const reg = new Registry();
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
    const c = this.candidates(op, poolType, tool);
    const hit = c.find((s) => semver.satisfies(normalized, s.def.versions));
    if (hit) return { ok: true, scriptlet: hit };
    return { ok: false, ranges: c.map((s) => `${s.id} (${s.def.versions})`) };
  }
}
