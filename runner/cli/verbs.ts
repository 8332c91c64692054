// The virsh-like verbs: each turns its arguments into one method call and renders the result.
// Names, argument order and sizes follow virsh.
import { readFileSync } from 'node:fs';
import type { Pool, Volume, HostVolume, VolumeRef } from '../contracts/generated.js';
import { parseSize } from '../xml/units.js';
import type { ParsedArgs } from './args.js';
import { humanSize, keyValues, table } from './render.js';

export interface Verb {
  name: string;
  usage: string;
  help: string;
  /** Options that take a value. */
  valued?: readonly string[];
  /** Flags (no value). */
  flags?: readonly string[];
  minPositionals: number;
  maxPositionals: number;
  toCall(a: ParsedArgs): { method: string; params: Record<string, unknown> } | string;
  /** A second call built from the first one's result (vol-clone). */
  then?(first: unknown, a: ParsedArgs): { method: string; params: Record<string, unknown> };
  render(result: unknown, a: ParsedArgs): string;
}

const opt = (a: ParsedArgs, name: string): string | undefined => {
  const v = a.options.get(name);
  return typeof v === 'string' ? v : undefined;
};
const flag = (a: ParsedArgs, name: string) => a.options.get(name) === true;
const pos = (a: ParsedArgs, i: number) => a.positionals[i] as string;

/** virsh's scaled integers: "10G" = 10 GiB, "10GB" = 10^9, a bare number is bytes. */
export function parseCliSize(text: string): number | string {
  const m = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return `invalid size ${JSON.stringify(text)}: a whole number with an optional unit (K, M, G, T, KB, MB, GB, ...)`;
  const r = parseSize(m[1] as string, m[2] ? m[2] : 'b');
  return r.ok ? r.value : r.error.message;
}

/** A volume argument the way virsh reads it: --pool + name, else a path, else a key. */
function volRef(a: ParsedArgs, i: number): VolumeRef {
  const v = pos(a, i);
  const pool = opt(a, 'pool');
  if (pool) return { pool, vol: v };
  return v.startsWith('/') ? { path: v } : { key: v };
}

const json = (r: unknown) => `${JSON.stringify(r, null, 2)}\n`;

function poolInfo(p: Pool): string {
  return keyValues([
    ['Name', p.name],
    ['UUID', p.uuid],
    ['State', p.state],
    ['Persistent', p.persistent ? 'yes' : 'no'],
    ['Autostart', p.autostart ? 'yes' : 'no'],
    ['Capacity', humanSize(p.capacity)],
    ['Allocation', humanSize(p.allocation)],
    ['Available', humanSize(p.available)]
  ]);
}

function volInfo(v: Volume): string {
  return keyValues([
    ['Name', v.name],
    ['Type', v.type],
    ['Capacity', humanSize(v.capacity)],
    ['Allocation', humanSize(v.allocation)]
  ]);
}

export const VERBS: readonly Verb[] = [
  {
    name: 'pool-list', usage: 'pool-list [--all] [--inactive] [--type TYPE] [--details]', help: 'List pools (active ones unless --all or --inactive).',
    flags: ['all', 'inactive', 'details'], valued: ['type'], minPositionals: 0, maxPositionals: 0,
    toCall: (a) => {
      const params: Record<string, unknown> = {};
      if (flag(a, 'inactive')) params['active'] = false;
      else if (!flag(a, 'all')) params['active'] = true;
      if (opt(a, 'type')) params['type'] = opt(a, 'type');
      return { method: 'pool.list', params };
    },
    render: (r, a) => {
      const pools = (r as { pools: Pool[] }).pools;
      if (flag(a, 'details')) {
        return table(['Name', 'State', 'Autostart', 'Persistent', 'Capacity', 'Allocation', 'Available'], pools.map((p) => [p.name, p.state, p.autostart ? 'yes' : 'no', p.persistent ? 'yes' : 'no', humanSize(p.capacity), humanSize(p.allocation), humanSize(p.available)]));
      }
      return table(['Name', 'State', 'Autostart'], pools.map((p) => [p.name, p.state === 'running' ? 'active' : p.state, p.autostart ? 'yes' : 'no']));
    }
  },
  {
    name: 'pool-define', usage: 'pool-define FILE', help: 'Define a pool from an XML file.', minPositionals: 1, maxPositionals: 1,
    toCall: (a) => {
      try {
        return { method: 'pool.define', params: { xml: readFileSync(pos(a, 0), 'utf8') } };
      } catch (e) {
        return `cannot read ${pos(a, 0)}: ${(e as Error).message}`;
      }
    },
    render: (r) => `Pool ${(r as Pool).name} defined from file\n`
  },
  {
    name: 'pool-define-as', usage: 'pool-define-as NAME TYPE [--target PATH] [--source-dev DEV] [--source-name NAME] [--source-host HOST] [--source-path DIR] [--source-format FMT]',
    help: 'Define a pool from arguments.', valued: ['target', 'source-dev', 'source-name', 'source-host', 'source-path', 'source-format'], minPositionals: 2, maxPositionals: 2,
    toCall: (a) => {
      const params: Record<string, unknown> = { name: pos(a, 0), type: pos(a, 1) };
      const source: Record<string, unknown> = {};
      if (opt(a, 'source-dev')) source['devices'] = (opt(a, 'source-dev') as string).split(',').map((path) => ({ path }));
      if (opt(a, 'source-name')) source['name'] = opt(a, 'source-name');
      if (opt(a, 'source-host')) source['hosts'] = [{ name: opt(a, 'source-host') }];
      if (opt(a, 'source-path')) source['dir'] = opt(a, 'source-path');
      if (opt(a, 'source-format')) source['format'] = opt(a, 'source-format');
      if (Object.keys(source).length) params['source'] = source;
      if (opt(a, 'target')) params['target'] = { path: opt(a, 'target') };
      return { method: 'pool.define', params };
    },
    render: (r) => `Pool ${(r as Pool).name} defined\n`
  },
  { name: 'pool-start', usage: 'pool-start POOL', help: 'Start (activate) a pool.', minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.start', params: { pool: pos(a, 0) } }), render: (r) => `Pool ${(r as Pool).name} started\n` },
  { name: 'pool-destroy', usage: 'pool-destroy POOL', help: 'Stop (deactivate) a pool; its data stays.', minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.stop', params: { pool: pos(a, 0) } }), render: (r) => `Pool ${(r as Pool).name} destroyed\n` },
  { name: 'pool-undefine', usage: 'pool-undefine POOL', help: 'Remove an inactive pool\'s definition.', minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.undefine', params: { pool: pos(a, 0) } }), render: (_r, a) => `Pool ${pos(a, 0)} has been undefined\n` },
  { name: 'pool-build', usage: 'pool-build POOL [--overwrite]', help: 'Build the pool\'s storage.', flags: ['overwrite'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.build', params: { pool: pos(a, 0), ...(flag(a, 'overwrite') ? { overwrite: true } : {}) } }), render: (_r, a) => `Pool ${pos(a, 0)} built\n` },
  { name: 'pool-delete', usage: 'pool-delete POOL', help: 'Delete the pool\'s storage.', minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.delete', params: { pool: pos(a, 0) } }), render: (_r, a) => `Pool ${pos(a, 0)} deleted\n` },
  { name: 'pool-refresh', usage: 'pool-refresh POOL', help: 'Re-read a pool.', minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.refresh', params: { pool: pos(a, 0) } }), render: (_r, a) => `Pool ${pos(a, 0)} refreshed\n` },
  { name: 'pool-info', usage: 'pool-info POOL', help: 'Show a pool.', minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.get', params: { pool: pos(a, 0) } }), render: (r) => poolInfo(r as Pool) },
  { name: 'pool-dumpxml', usage: 'pool-dumpxml POOL [--inactive]', help: 'Print a pool\'s XML.', flags: ['inactive'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.dumpXml', params: { pool: pos(a, 0), ...(flag(a, 'inactive') ? { inactive: true } : {}) } }), render: (r) => (r as { xml: string }).xml },
  { name: 'pool-autostart', usage: 'pool-autostart POOL [--disable]', help: 'Start the pool with the agent.', flags: ['disable'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'pool.setAutostart', params: { pool: pos(a, 0), autostart: !flag(a, 'disable') } }), render: (r) => `Pool ${(r as Pool).name} ${(r as Pool).autostart ? 'marked as autostarted' : 'unmarked as autostarted'}\n` },
  {
    name: 'find-storage-pool-sources-as', usage: 'find-storage-pool-sources-as TYPE [HOST] [PORT] [--source-dev DEV] [--initiator IQN]', help: 'Discover sources for a pool type.', valued: ['source-dev', 'initiator'], minPositionals: 1, maxPositionals: 3,
    toCall: (a) => ({ method: 'pool.findSources', params: { type: pos(a, 0), ...(a.positionals[1] ? { host: pos(a, 1) } : {}), ...(a.positionals[2] ? { port: Number(pos(a, 2)) } : {}), ...(opt(a, 'source-dev') ? { device: opt(a, 'source-dev') } : {}), ...(opt(a, 'initiator') ? { initiator: opt(a, 'initiator') } : {}) } }),
    render: (r) => (r as { xml: string }).xml
  },
  {
    name: 'vol-list', usage: 'vol-list POOL [--details]', help: 'List a pool\'s volumes.', flags: ['details'], minPositionals: 1, maxPositionals: 1,
    toCall: (a) => ({ method: 'vol.list', params: { pool: pos(a, 0) } }),
    render: (r, a) => {
      const vols = (r as { volumes: Volume[] }).volumes;
      if (flag(a, 'details')) return table(['Name', 'Path', 'Type', 'Capacity', 'Allocation'], vols.map((v) => [v.name, v.path, v.type, humanSize(v.capacity), humanSize(v.allocation)]));
      return table(['Name', 'Path'], vols.map((v) => [v.name, v.path]));
    }
  },
  {
    name: 'vol-create-as', usage: 'vol-create-as POOL NAME SIZE [--format FMT] [--allocation SIZE] [--backing-vol VOL]', help: 'Create a volume from arguments.',
    valued: ['format', 'allocation', 'backing-vol'], minPositionals: 3, maxPositionals: 3,
    toCall: (a) => {
      const capacity = parseCliSize(pos(a, 2));
      if (typeof capacity === 'string') return capacity;
      const params: Record<string, unknown> = { pool: pos(a, 0), name: pos(a, 1), capacity };
      if (opt(a, 'format')) params['format'] = opt(a, 'format');
      if (opt(a, 'allocation') !== undefined) {
        const al = parseCliSize(opt(a, 'allocation') as string);
        if (typeof al === 'string') return al;
        params['allocation'] = al;
      }
      if (opt(a, 'backing-vol')) params['backingVol'] = opt(a, 'backing-vol');
      return { method: 'vol.create', params };
    },
    render: (_r, a) => `Vol ${pos(a, 1)} created\n`
  },
  {
    name: 'vol-create', usage: 'vol-create POOL FILE', help: 'Create a volume from an XML file.', minPositionals: 2, maxPositionals: 2,
    toCall: (a) => {
      try {
        return { method: 'vol.create', params: { pool: pos(a, 0), xml: readFileSync(pos(a, 1), 'utf8') } };
      } catch (e) {
        return `cannot read ${pos(a, 1)}: ${(e as Error).message}`;
      }
    },
    render: (r) => `Vol ${(r as Volume).name} created\n`
  },
  {
    name: 'vol-clone', usage: 'vol-clone VOL NEWNAME [--pool POOL] [--format FMT]', help: 'Copy a volume into a new one in the same pool.', valued: ['pool', 'format'], minPositionals: 2, maxPositionals: 2,
    // The clone goes to the source's pool (or --pool): the CLI looks the source up first.
    toCall: (a) => ({ method: 'vol.get', params: volRef(a, 0) as unknown as Record<string, unknown> }),
    then: (first, a) => ({ method: 'vol.copy', params: { pool: (first as Volume).pool ?? opt(a, 'pool'), name: pos(a, 1), from: volRef(a, 0), ...(opt(a, 'format') ? { format: opt(a, 'format') } : {}) } }),
    render: (_r, a) => `Vol ${pos(a, 1)} cloned from ${pos(a, 0)}\n`
  },
  {
    name: 'vol-resize', usage: 'vol-resize VOL CAPACITY [--pool POOL] [--shrink]', help: 'Change a volume\'s capacity.', valued: ['pool'], flags: ['shrink'], minPositionals: 2, maxPositionals: 2,
    toCall: (a) => {
      const capacity = parseCliSize(pos(a, 1));
      if (typeof capacity === 'string') return capacity;
      return { method: 'vol.resize', params: { volume: volRef(a, 0), capacity, ...(flag(a, 'shrink') ? { shrink: true } : {}) } };
    },
    render: (_r, a) => `Size of volume '${pos(a, 0)}' successfully changed to ${pos(a, 1)}\n`
  },
  { name: 'vol-delete', usage: 'vol-delete VOL [--pool POOL]', help: 'Delete a volume.', valued: ['pool'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'vol.delete', params: { volume: volRef(a, 0) } }), render: (_r, a) => `Vol ${pos(a, 0)} deleted\n` },
  { name: 'vol-wipe', usage: 'vol-wipe VOL [--pool POOL] [--algorithm zero|random]', help: 'Overwrite a volume\'s data.', valued: ['pool', 'algorithm'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'vol.wipe', params: { volume: volRef(a, 0), ...(opt(a, 'algorithm') ? { algorithm: opt(a, 'algorithm') } : {}) } }), render: (_r, a) => `Vol ${pos(a, 0)} wiped\n` },
  { name: 'vol-info', usage: 'vol-info VOL [--pool POOL]', help: 'Show a volume.', valued: ['pool'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'vol.get', params: { ...volRef(a, 0) } }), render: (r) => volInfo(r as Volume) },
  { name: 'vol-key', usage: 'vol-key VOL [--pool POOL]', help: 'Print a volume\'s key.', valued: ['pool'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'vol.get', params: { ...volRef(a, 0) } }), render: (r) => `${(r as Volume).key}\n` },
  { name: 'vol-path', usage: 'vol-path VOL [--pool POOL]', help: 'Print a volume\'s path.', valued: ['pool'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'vol.get', params: { ...volRef(a, 0) } }), render: (r) => `${(r as Volume).path}\n` },
  { name: 'vol-dumpxml', usage: 'vol-dumpxml VOL [--pool POOL]', help: 'Print a volume\'s XML.', valued: ['pool'], minPositionals: 1, maxPositionals: 1, toCall: (a) => ({ method: 'vol.dumpXml', params: { volume: volRef(a, 0) } }), render: (r) => (r as { xml: string }).xml },
  {
    name: 'host-volumes', usage: 'host-volumes', help: 'List the host\'s block devices.', minPositionals: 0, maxPositionals: 0, toCall: () => ({ method: 'host.listVolumes', params: {} }),
    render: (r) => table(['Name', 'Path', 'Type', 'Size', 'Parent', 'Mountpoint'], (r as { volumes: HostVolume[] }).volumes.map((v) => [v.name, v.path, v.type, humanSize(v.size), v.parent ?? '', v.mountpoint ?? '']))
  },
  {
    name: 'probe', usage: 'probe [--refresh]', help: 'Show tools found, their versions, and the scriptlet chosen for each operation.', flags: ['refresh'], minPositionals: 0, maxPositionals: 0,
    toCall: (a) => ({ method: 'agent.probe', params: flag(a, 'refresh') ? { refresh: true } : {} }),
    render: (r) => {
      const p = r as { tools: { tool: string; version: string | null; path: string | null; package: string; error?: string }[]; operations: { poolType: string; operation: string; scriptlet: string | null; reason: string }[]; host: { deviceMapper: boolean } };
      return [
        table(['Tool', 'Version', 'Path', 'Package'], p.tools.map((t) => [t.tool, t.version ?? 'missing', t.path ?? (t.error ?? ''), t.package])),
        `device-mapper: ${p.host.deviceMapper ? 'yes' : 'no'}\n`,
        table(['Pool type', 'Operation', 'Scriptlet', 'Why'], p.operations.map((o) => [o.poolType, o.operation, o.scriptlet ?? '-', o.reason]))
      ].join('\n');
    }
  },
  { name: 'capabilities', usage: 'capabilities', help: 'Pool types and operations usable on this host.', minPositionals: 0, maxPositionals: 0, toCall: () => ({ method: 'agent.capabilities', params: {} }), render: json },
  { name: 'version', usage: 'version', help: 'Show the agent version.', minPositionals: 0, maxPositionals: 0, toCall: () => ({ method: 'agent.version', params: {} }), render: (r) => keyValues(Object.entries(r as Record<string, string>)) }
];

