// Which tools are installed and at what version. One probe command per tool, cached in the home
// keyed by the binary's path, size and mtime, so a warm call runs no probe at all.
import { readFileSync, statSync, openSync, closeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { TOOL_PROBES } from './tools/index.js';
import type { ToolProbe } from './tools/types.js';
import { normalizeVersion } from './version.js';
import { resolveBinary } from '../exec/resolve-binary.js';
import { defaultTimeoutMs, runCommand } from '../exec/run-command.js';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { HostFacts } from '../scriptlet/api.js';

export interface ToolInfo {
  tool: string;
  binary: string;
  path: string | null;
  version: string | null;
  normalized: string | null;
  package: string;
  cached: boolean;
  error?: string;
}

interface CacheEntry {
  size: number;
  mtimeMs: number;
  version: string | null;
}

const PROBE_TIMEOUT_MS = 15_000;

export class ProbeService {
  private memo = new Map<string, ToolInfo>();
  private cache: Record<string, CacheEntry> | null = null;
  private hostFacts: HostFacts | null = null;

  constructor(private readonly home: string, private readonly searchPath: string, private readonly probes: readonly ToolProbe[] = TOOL_PROBES) {}

  private cacheFile() {
    return join(this.home, 'probe-cache.json');
  }

  private loadCache(): Record<string, CacheEntry> {
    if (this.cache) return this.cache;
    try {
      const parsed = JSON.parse(readFileSync(this.cacheFile(), 'utf8')) as unknown;
      this.cache = parsed && typeof parsed === 'object' ? (parsed as Record<string, CacheEntry>) : {};
    } catch {
      this.cache = {};
    }
    return this.cache;
  }

  probeDef(tool: string): ToolProbe | undefined {
    return this.probes.find((p) => p.tool === tool);
  }

  get tools(): readonly ToolProbe[] {
    return this.probes;
  }

  private inflight = new Map<string, Promise<ToolInfo>>();

  /** One probe per tool at a time: concurrent requests share it (no thundering herd). */
  probe(tool: string, refresh = false): Promise<ToolInfo> {
    const running = this.inflight.get(tool);
    if (running) return running;
    const p = this.probeNow(tool, refresh).finally(() => this.inflight.delete(tool));
    this.inflight.set(tool, p);
    return p;
  }

  private async probeNow(tool: string, refresh: boolean): Promise<ToolInfo> {
    const def = this.probeDef(tool);
    if (!def) return { tool, binary: tool, path: null, version: null, normalized: null, package: 'unknown', cached: false, error: `no probe for tool ${tool}` };
    if (def.binary === null) {
      const version = def.parse('', '');
      return { tool, binary: '(built in)', path: null, version, normalized: version ? normalizeVersion(version) : null, package: def.package, cached: true };
    }
    const runPath = resolveBinary(def.binary, this.searchPath);
    // A tool that cannot tell its version (libiscsi) is asked through another binary (dpkg-query);
    // the tool's own binary must be there, and keys the cache (an upgrade replaces it).
    const path = def.versionOf !== undefined ? resolveBinary(def.versionOf, this.searchPath) : runPath;
    const base = { tool, binary: def.versionOf ?? def.binary, package: def.package };
    if (!path) return { ...base, path: null, version: null, normalized: null, cached: false, error: `${def.versionOf ?? def.binary} not found on ${this.searchPath}` };
    if (!runPath) return { ...base, path: null, version: null, normalized: null, cached: false, error: `${def.binary} (which reports ${tool}'s version) not found on ${this.searchPath}` };
    let st;
    try {
      st = statSync(path);
    } catch {
      return { ...base, path: null, version: null, normalized: null, cached: false, error: `${path} vanished` };
    }
    const memo = this.memo.get(tool);
    if (!refresh && memo && memo.path === path) {
      const c = this.loadCache()[path];
      if (c && c.version && c.size === st.size && c.mtimeMs === st.mtimeMs) return { ...memo, cached: true };
    }
    const cached = this.loadCache()[path];
    // Only a version read is remembered: a probe that read none (a crash, a timeout, a banner not
    // understood) is asked again next time instead of failing every request until the binary changes.
    if (!refresh && cached?.version && cached.size === st.size && cached.mtimeMs === st.mtimeMs) {
      const info = { ...base, path, version: cached.version, normalized: cached.version ? normalizeVersion(cached.version) : null, cached: true };
      this.memo.set(tool, info);
      return info;
    }
    const r = await runCommand(runPath, [def.binary, ...def.args], { timeoutMs: Math.min(PROBE_TIMEOUT_MS, defaultTimeoutMs()), env: { PATH: this.searchPath } });
    const version = def.parse(r.stdout, r.stderr);
    const info: ToolInfo = { ...base, path, version, normalized: version ? normalizeVersion(version) : null, cached: false };
    if (!version) {
      const why = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`;
      info.error = `could not read a version from \`${def.binary} ${def.args.join(' ')}\` (${why})`;
      return info;
    }
    this.memo.set(tool, info);
    const cache = this.loadCache();
    cache[path] = { size: st.size, mtimeMs: st.mtimeMs, version };
    try {
      writeFileAtomic(this.cacheFile(), JSON.stringify(cache, null, 1));
    } catch {
      // A read-only home only costs a probe next time.
    }
    return info;
  }

  host(): HostFacts {
    if (this.hostFacts) return this.hostFacts;
    let deviceMapper = false;
    try {
      closeSync(openSync('/dev/mapper/control', constants.O_RDWR));
      deviceMapper = true;
    } catch {
      deviceMapper = false;
    }
    this.hostFacts = { deviceMapper, root: typeof process.getuid === 'function' && process.getuid() === 0 };
    return this.hostFacts;
  }
}
