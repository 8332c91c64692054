// The two systems under test behind one interface, so every workload sends the same work to
// both. "sequential" = one operation at a time, the next sent only after the previous one's
// answer came back (agent: one JSON-RPC request, await its response; libvirt: one virsh
// command, await its markers). "batch" = all operations sent at once (agent: pipelined
// JSON-RPC requests; libvirt: all commands written to virsh's stdin at once; virsh still runs
// them one after another, that is how virsh works).

import type { AgentSession } from './agent.js';
import type { VirshSession } from './virsh.js';

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export interface Target {
  readonly side: 'agent' | 'libvirt';
  /** define + build + start a dir pool whose target is `dir`. */
  setupPool(pool: string, dir: string): Promise<void>;
  refreshPool(pool: string): Promise<void>;
  /** Raw volume, capacity = allocation = 1 MiB. */
  createRaw(pool: string, name: string): Promise<void>;
  /** qcow2 volume, capacity 1 GiB (metadata only). */
  createQcow2(pool: string, name: string): Promise<void>;
  deleteVol(pool: string, name: string): Promise<void>;
  createRawBatch(pool: string, names: string[]): Promise<void>;
  createQcow2Batch(pool: string, names: string[]): Promise<void>;
  deleteBatch(pool: string, names: string[]): Promise<void>;
  /** The pool's volume list; returns what came back, to be checked outside the timing. */
  list(pool: string, details: boolean): Promise<unknown>;
  /** How many volumes a `list` answer names whose path is under `dir`. */
  countListed(answer: unknown, dir: string): number;
}

export class AgentTarget implements Target {
  readonly side = 'agent' as const;
  constructor(private readonly agent: AgentSession) {}

  async setupPool(pool: string, dir: string): Promise<void> {
    await this.agent.call('pool.define', { name: pool, type: 'dir', target: { path: dir } });
    await this.agent.call('pool.build', { pool });
    await this.agent.call('pool.start', { pool });
  }
  async refreshPool(pool: string): Promise<void> {
    await this.agent.call('pool.refresh', { pool });
  }
  private rawParams(pool: string, name: string) {
    return { pool, name, capacity: MiB, allocation: MiB, format: 'raw' };
  }
  private qcow2Params(pool: string, name: string) {
    return { pool, name, capacity: GiB, format: 'qcow2' };
  }
  async createRaw(pool: string, name: string): Promise<void> {
    await this.agent.call('vol.create', this.rawParams(pool, name));
  }
  async createQcow2(pool: string, name: string): Promise<void> {
    await this.agent.call('vol.create', this.qcow2Params(pool, name));
  }
  async deleteVol(pool: string, name: string): Promise<void> {
    await this.agent.call('vol.delete', { volume: { pool, vol: name } });
  }
  async createRawBatch(pool: string, names: string[]): Promise<void> {
    await Promise.all(names.map((n) => this.agent.call('vol.create', this.rawParams(pool, n))));
  }
  async createQcow2Batch(pool: string, names: string[]): Promise<void> {
    await Promise.all(names.map((n) => this.agent.call('vol.create', this.qcow2Params(pool, n))));
  }
  async deleteBatch(pool: string, names: string[]): Promise<void> {
    await Promise.all(names.map((n) => this.agent.call('vol.delete', { volume: { pool, vol: n } })));
  }
  list(pool: string): Promise<unknown> {
    // vol.list always answers with details (capacity, allocation, format...).
    return this.agent.call('vol.list', { pool });
  }
  countListed(answer: unknown, dir: string): number {
    const vols = (answer as { volumes?: { path?: unknown }[] } | null)?.volumes;
    if (!Array.isArray(vols)) throw new Error(`vol.list answered without a volumes array: ${JSON.stringify(answer).slice(0, 200)}`);
    return vols.filter((v) => typeof v.path === 'string' && v.path.startsWith(dir + '/')).length;
  }
}

export class LibvirtTarget implements Target {
  readonly side = 'libvirt' as const;
  constructor(private readonly virsh: VirshSession) {}

  async setupPool(pool: string, dir: string): Promise<void> {
    await this.virsh.step([
      ['pool-define-as', pool, 'dir', '--target', dir],
      ['pool-build', pool],
      ['pool-start', pool],
    ]);
  }
  async refreshPool(pool: string): Promise<void> {
    await this.virsh.step([['pool-refresh', pool]]);
  }
  private rawCmd(pool: string, name: string): string[] {
    return ['vol-create-as', pool, name, '1M', '--allocation', '1M', '--format', 'raw'];
  }
  private qcow2Cmd(pool: string, name: string): string[] {
    return ['vol-create-as', pool, name, '1G', '--format', 'qcow2'];
  }
  private deleteCmd(pool: string, name: string): string[] {
    return ['vol-delete', name, '--pool', pool];
  }
  async createRaw(pool: string, name: string): Promise<void> {
    await this.virsh.step([this.rawCmd(pool, name)]);
  }
  async createQcow2(pool: string, name: string): Promise<void> {
    await this.virsh.step([this.qcow2Cmd(pool, name)]);
  }
  async deleteVol(pool: string, name: string): Promise<void> {
    await this.virsh.step([this.deleteCmd(pool, name)]);
  }
  async createRawBatch(pool: string, names: string[]): Promise<void> {
    await this.virsh.step(names.map((n) => this.rawCmd(pool, n)));
  }
  async createQcow2Batch(pool: string, names: string[]): Promise<void> {
    await this.virsh.step(names.map((n) => this.qcow2Cmd(pool, n)));
  }
  async deleteBatch(pool: string, names: string[]): Promise<void> {
    await this.virsh.step(names.map((n) => this.deleteCmd(pool, n)));
  }
  async list(pool: string, details: boolean): Promise<unknown> {
    return (await this.virsh.step([details ? ['vol-list', pool, '--details'] : ['vol-list', pool]])).stdout;
  }
  countListed(answer: unknown, dir: string): number {
    // Rows are ` NAME   PATH [details...]`; a path column under the pool dir marks a row.
    const needle = ` ${dir}/`;
    return String(answer)
      .split('\n')
      .filter((l) => !l.startsWith('virsh #') && l.includes(needle)).length;
  }
}
