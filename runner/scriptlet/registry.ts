// Every scriptlet the agent has, by operation, tool and version range. Loaded from the compiled
// scriptlets/ tree (plus extra roots in tests); selection is by probed version.
//
// Ranges end themselves: a scriptlet declares where its series starts (`>=2.3.0`), and its
// range ends where the next scriptlet of the same tool, operation and pool type begins (the
// one with the next higher lower bound), so adding a series never edits an older one. A
// declared upper bound still holds (a series known to stop somewhere says so). The range that
// results is `range` below; selection, probe and check all use it.
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
  /** The range this scriptlet serves: its declared range, ended where the next series begins. */
  range: string;
  /** The scriptlet whose start ended this one's range, if any. */
  endedBy?: string;
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
      for (const e of entries) reg.all.push({ id: e.id, module: resolve(SCRIPTLETS_DIR, `${e.id}.js`), def: e.def, range: e.def.versions });
      reg.endRanges();
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
          reg.all.push({ id: `${series.name}/${f.replace(/\.js$/, '')}`, module, def: mod.default, range: mod.default.versions });
        }
      }
    }
    reg.endRanges();
    return reg;
  }

  /**
   * Each scriptlet's range ends below the lowest start, above its own, of another scriptlet of
   * the same tool and operation sharing a pool type. Ranges that are not valid semver, or two
   * scriptlets with the same start, are left as declared: check reports them.
   */
  private endRanges(): void {
    for (const s of this.all) {
      const start = lowerBound(s.def.versions);
      if (!start) continue;
      let next: { id: string; start: string } | null = null;
      for (const o of this.all) {
        if (o === s || o.def.tool !== s.def.tool || o.def.operation !== s.def.operation) continue;
        if (!o.def.poolTypes.some((t) => s.def.poolTypes.includes(t))) continue;
        const os = lowerBound(o.def.versions);
        if (!os || !semver.gt(os, start)) continue;
        if (!next || semver.lt(os, next.start)) next = { id: o.id, start: os };
      }
      if (!next || !semver.satisfies(next.start, s.def.versions)) continue;
      s.range = s.def.versions.split('||').map((part) => `${part.trim()} <${next.start}`.trim()).join(' || ');
      s.endedBy = next.id;
    }
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
    const found = c.find((s) => semver.satisfies(normalized, s.range));
    if (found) return { ok: true, scriptlet: found };
    return { ok: false, ranges: c.map((s) => `${s.id} (${s.range})`) };
  }
}

/** The lowest version a range admits, or null when it is not a valid semver range. */
export function lowerBound(range: string): string | null {
  if (!semver.validRange(range)) return null;
  return semver.minVersion(range)?.version ?? null;
}
