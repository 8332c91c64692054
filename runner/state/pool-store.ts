// Pool definitions, kept as libvirt XML in the home (pools/<name>.xml) with their runtime state
// beside them (pools/<name>.state.json). Every write is atomic (runner/state/atomic-write.ts),
// so a crash leaves the old definition or the new one, never a torn file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PoolDefinition, PoolState } from '../contracts/generated.js';
import { err, ok, type Result } from '../errors.js';
import { parsePoolXml, formatPoolXml } from '../xml/pool-xml.js';
import { writeFileAtomic, fsyncDir } from './atomic-write.js';

export interface PoolRecord {
  def: PoolDefinition;
  state: PoolState;
  autostart: boolean;
  /** Made by pool.create (virsh pool-create): the definition goes when the pool stops. */
  transient: boolean;
}

export interface RuntimeState {
  state: PoolState;
  autostart: boolean;
  transient?: boolean;
}

interface CacheEntry {
  text: string;
  def: PoolDefinition;
}

export class PoolStore {
  readonly dir: string;
  private cache = new Map<string, CacheEntry>();

  constructor(readonly home: string) {
    this.dir = join(home, 'pools');
  }

  /** First use of a home: the `default` dir pool (target images/ in the home), built and running. */
  ensureInitialized(makeUuid: () => string): { created: boolean } {
    if (existsSync(this.dir)) return { created: false };
    mkdirSync(join(this.home, 'images'), { recursive: true, mode: 0o711 });
    const staging = `${this.dir}.init-${process.pid}`;
    mkdirSync(staging, { recursive: true, mode: 0o700 });
    const def: PoolDefinition = { name: 'default', uuid: makeUuid(), type: 'dir', target: { path: join(this.home, 'images') } };
    writeFileAtomic(join(staging, 'default.xml'), formatPoolXml(def));
    writeFileAtomic(join(staging, 'default.state.json'), JSON.stringify({ state: 'running', autostart: true }));
    try {
      // Rename is atomic: two first-time agents cannot both create a default pool.
      renameSync(staging, this.dir);
    } catch {
      // Another process won the race; its default pool stands.
      rmSync(staging, { recursive: true, force: true });
    }
    return { created: true };
  }

  private xmlPath(name: string) {
    return join(this.dir, `${name}.xml`);
  }

  private statePath(name: string) {
    return join(this.dir, `${name}.state.json`);
  }

  names(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      // Every NAME.xml (a pool may be named '.x'); atomic-write's temp files end in .tmp.
      .filter((f) => f.endsWith('.xml'))
      .map((f) => f.slice(0, -4))
      .sort();
  }

  /**
   * A definition by name, read now and parsed once per content. The file is read on every call
   * (it is small): another agent process may have rewritten it in the same clock tick with the
   * same size, which a stat signature could not tell apart on a file system with coarse
   * timestamps; the text itself can.
   */
  private readDef(name: string): PoolDefinition | null {
    let text: string;
    try {
      text = readFileSync(this.xmlPath(name), 'utf8');
    } catch (e) {
      // A definition gone meanwhile (another agent undefined the pool) is no pool, not an error;
      // nor is a name too long to be a file name: no definition can have it.
      const code = (e as { code?: string }).code;
      if (code !== 'ENOENT' && code !== 'ENAMETOOLONG') throw e;
      this.cache.delete(name);
      return null;
    }
    const c = this.cache.get(name);
    if (c && c.text === text) return c.def;
    const parsed = parsePoolXml(text);
    if (!parsed.ok) return null;
    this.cache.set(name, { text, def: parsed.value });
    return parsed.value;
  }

  private readState(name: string): RuntimeState {
    try {
      const s = JSON.parse(readFileSync(this.statePath(name), 'utf8')) as Partial<RuntimeState>;
      return { state: s.state === 'running' || s.state === 'building' ? s.state : 'inactive', autostart: s.autostart === true, transient: s.transient === true };
    } catch {
      return { state: 'inactive', autostart: false, transient: false };
    }
  }

  get(name: string): PoolRecord | null {
    const def = this.readDef(name);
    if (!def) return null;
    const st = this.readState(name);
    return { def, state: st.state, autostart: st.autostart, transient: st.transient === true };
  }

  all(): PoolRecord[] {
    const out: PoolRecord[] = [];
    for (const n of this.names()) {
      const r = this.get(n);
      if (r) out.push(r);
    }
    return out;
  }

  /** By name, or by UUID (with or without dashes, any case). */
  find(ref: string): PoolRecord | null {
    const byName = /^[^/]+$/.test(ref) ? this.get(ref) : null;
    if (byName) return byName;
    const norm = ref.replace(/-/g, '').toLowerCase();
    if (!/^[0-9a-f]{32}$/.test(norm)) return null;
    return this.all().find((r) => r.def.uuid.replace(/-/g, '').toLowerCase() === norm) ?? null;
  }

  findByTarget(path: string): PoolRecord | null {
    const want = resolve(path).replace(/\/+$/, '');
    return this.all().find((r) => r.def.target?.path !== undefined && resolve(r.def.target.path) === want) ?? null;
  }

  /** Write a (new or changed) definition; the caller checked names and UUIDs. */
  saveDef(def: PoolDefinition): Result<void> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (!existsSync(this.xmlPath(def.name))) {
      // A new pool starts inactive: a state file left by an undefine that was cut short (its
      // definition removed, the process killed before the state file) must not make it running.
      try {
        unlinkSync(this.statePath(def.name));
      } catch {
        // None: the usual case.
      }
    }
    writeFileAtomic(this.xmlPath(def.name), formatPoolXml(def), 0o600);
    return ok(undefined);
  }

  /**
   * Start-up: temp files of atomic writes (`.NAME.PID.RAND.tmp`) and first-use staging directories
   * (`pools.init-PID`) whose process is dead are removed. They are never read as definitions
   * (names() skips dot files), but they would pile up.
   */
  sweep(alive: (pid: number) => boolean): number {
    let removed = 0;
    const dead = (pid: string) => !alive(Number.parseInt(pid, 10));
    try {
      for (const f of readdirSync(this.dir)) {
        const m = /^\..+\.(\d+)\.[0-9a-f]+\.tmp$/.exec(f);
        if (m && dead(m[1] as string)) {
          rmSync(join(this.dir, f), { force: true });
          removed++;
        }
      }
    } catch {
      // No pools directory yet.
    }
    try {
      for (const f of readdirSync(this.home)) {
        const m = /^pools\.init-(\d+)$/.exec(f);
        if (m && dead(m[1] as string)) {
          rmSync(join(this.home, f), { recursive: true, force: true });
          removed++;
        }
      }
    } catch {
      // Home unreadable: nothing to sweep.
    }
    return removed;
  }

  saveState(name: string, state: RuntimeState): void {
    // Only a transient pool's state says so (a persistent pool's file stays as it always was).
    const s = state.transient ? state : { state: state.state, autostart: state.autostart };
    writeFileAtomic(this.statePath(name), JSON.stringify(s), 0o600);
  }

  remove(name: string): Result<void> {
    try {
      unlinkSync(this.xmlPath(name));
    } catch (e) {
      return err('NO_POOL', `no pool ${name}: ${(e as Error).message}`);
    }
    try {
      unlinkSync(this.statePath(name));
    } catch {
      // No state file: never started.
    }
    this.cache.delete(name);
    fsyncDir(this.dir);
    return ok(undefined);
  }
}

