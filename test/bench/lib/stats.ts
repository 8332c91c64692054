// Pure helpers of the benchmark: configuration from the environment, medians, ratios and the
// printed table. No I/O here, so they are unit-tested (test/bench/stats.test.ts).

export interface BenchConfig {
  rounds: number;
  quick: boolean;
  /** Workload (a): create+delete pairs per round. */
  createDelete: number;
  /** Workload (b): volumes in the listed pool. */
  listVolumes: number;
  /** Workload (c): qcow2 creates per round. */
  qcow2: number;
  /** Workload (d): cold process starts measured. */
  coldRuns: number;
  /** Which sides to run; `both` unless BENCH_SIDES says otherwise. */
  sides: { agent: boolean; libvirt: boolean };
  /** Also measure the pipelined / virsh-batch figures. */
  pipelined: boolean;
  /** Workload (e): logical volumes in the listed VG. */
  lvmVolumes: number;
  /** Workload (e): vol.list calls (and bare lvs runs) per round. */
  lvmReps: number;
  /** Which workloads run (BENCH_ONLY); all of them unless it says otherwise. */
  only: Record<Workload, boolean>;
}

/** Workload groups BENCH_ONLY can name: (a)/(a'), (b), (c)/(c'), (d), (e) = lvm. */
export const WORKLOADS = ['a', 'b', 'c', 'd', 'lvm'] as const;
export type Workload = (typeof WORKLOADS)[number];

/** BENCH_ONLY: comma-separated workload names (`e` is an alias of `lvm`); empty = all. */
export function parseOnly(raw: string | undefined): Record<Workload, boolean> {
  const all = Object.fromEntries(WORKLOADS.map((w) => [w, raw === undefined || raw.trim() === ''])) as Record<Workload, boolean>;
  if (raw === undefined || raw.trim() === '') return all;
  for (const part of raw.split(',').map((x) => x.trim().toLowerCase())) {
    const w = part === 'e' ? 'lvm' : part;
    if (!(WORKLOADS as readonly string[]).includes(w)) {
      throw new Error(`BENCH_ONLY must list workloads among ${WORKLOADS.join(', ')} (e = lvm), got ${JSON.stringify(raw)}`);
    }
    all[w as Workload] = true;
  }
  return all;
}

/** True when a workload on dir pools, (a) to (c), is selected. */
export function needsDirPools(cfg: Pick<BenchConfig, 'only'>): boolean {
  return cfg.only.a || cfg.only.b || cfg.only.c;
}

/** True when libvirtd has to run: its side is on and a workload comparing with it, (a) to (d), is selected. */
export function needsLibvirt(cfg: Pick<BenchConfig, 'only' | 'sides'>): boolean {
  return cfg.sides.libvirt && (needsDirPools(cfg) || cfg.only.d);
}

function positiveInt(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9][0-9]*$/.test(raw)) {
    throw new Error(`${key} must be a positive whole number, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

export function benchConfig(env: NodeJS.ProcessEnv): BenchConfig {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  const sidesRaw = env.BENCH_SIDES ?? 'both';
  if (!['both', 'agent', 'libvirt'].includes(sidesRaw)) {
    throw new Error(`BENCH_SIDES must be both, agent or libvirt, got ${JSON.stringify(sidesRaw)}`);
  }
  const pipelinedRaw = env.BENCH_PIPELINED ?? '1';
  return {
    quick,
    rounds: positiveInt(env, 'BENCH_ROUNDS', quick ? 3 : 5),
    createDelete: positiveInt(env, 'BENCH_CREATE_DELETE', quick ? 50 : 1000),
    listVolumes: positiveInt(env, 'BENCH_LIST_VOLUMES', quick ? 500 : 10000),
    qcow2: positiveInt(env, 'BENCH_QCOW2', quick ? 20 : 200),
    coldRuns: positiveInt(env, 'BENCH_COLD_RUNS', quick ? 5 : 10),
    sides: { agent: sidesRaw !== 'libvirt', libvirt: sidesRaw !== 'agent' },
    pipelined: pipelinedRaw !== '0',
    lvmVolumes: positiveInt(env, 'BENCH_LVM_VOLUMES', quick ? 10 : 40),
    lvmReps: positiveInt(env, 'BENCH_LVM_REPS', quick ? 5 : 40),
    only: parseOnly(env.BENCH_ONLY),
  };
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length % 2 === 1) return s[mid]!;
  return (s[mid - 1]! + s[mid]!) / 2;
}

/** agent / baseline, or null when either side is missing or the baseline is zero. */
export function ratio(agent: number | null, baseline: number | null): number | null {
  if (agent === null || baseline === null || baseline <= 0) return null;
  return agent / baseline;
}

export function fmtMs(ms: number | null): string {
  if (ms === null) return 'n/a';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export function fmtRatio(r: number | null): string {
  return r === null ? 'n/a' : `${r.toFixed(2)}x`;
}

export interface Row {
  id: string;
  workload: string;
  /** What the baseline column measured (e.g. `virsh vol-list --details`). */
  baseline: string;
  agentSamples: number[];
  baselineSamples: number[];
}

export interface RowSummary {
  id: string;
  workload: string;
  baseline: string;
  agentMedianMs: number | null;
  baselineMedianMs: number | null;
  ratio: number | null;
  agentSamplesMs: number[];
  baselineSamplesMs: number[];
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function summarize(row: Row): RowSummary {
  const a = row.agentSamples.length ? median(row.agentSamples) : null;
  const b = row.baselineSamples.length ? median(row.baselineSamples) : null;
  const r = ratio(a, b);
  return {
    id: row.id,
    workload: row.workload,
    baseline: row.baseline,
    agentMedianMs: a === null ? null : round3(a),
    baselineMedianMs: b === null ? null : round3(b),
    ratio: r === null ? null : round3(r),
    agentSamplesMs: row.agentSamples.map(round3),
    baselineSamplesMs: row.baselineSamples.map(round3),
  };
}

/** A plain-text table: one header, a rule, one line per row, columns padded to fit. */
export function renderTable(headers: string[], rows: string[][], rightAlign: boolean[] = []): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function summaryTable(summaries: RowSummary[]): string {
  return renderTable(
    ['workload', 'agent median ms', 'baseline', 'baseline median ms', 'ratio agent/baseline'],
    summaries.map((s) => [
      s.workload,
      fmtMs(s.agentMedianMs),
      s.baseline,
      fmtMs(s.baselineMedianMs),
      fmtRatio(s.ratio),
    ]),
    [false, true, false, true, true],
  );
}
