// A scriptlet context whose commands are answered by a script: each answer is picked by the
// first rule whose matcher accepts the argv; every command is kept so tests can check argv.
import type { CommandOptions, CommandResult, HostFacts, ScriptletContext, Shell } from '../../../runner/scriptlet/api.js';
import { templateToArgv } from '../../../runner/scriptlet/api.js';

export interface Answer {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
}

export type Rule = [match: (argv: string[]) => boolean, answer: Answer | ((argv: string[]) => Answer)];

export interface Ran {
  argv: string[];
  mutating: boolean;
  options: CommandOptions;
}

export function fakeCtx(rules: Rule[], opts: { deviceMapper?: boolean; dryRun?: boolean; toolVersion?: string } = {}) {
  const ran: Ran[] = [];
  const progress: [number, number][] = [];
  const host: HostFacts = { deviceMapper: opts.deviceMapper ?? false, root: true };
  const exec = async (argv: string[], mutating: boolean, options: CommandOptions): Promise<CommandResult> => {
    ran.push({ argv, mutating, options });
    if (mutating && opts.dryRun) return { argv, exitCode: 0, signal: null, stdout: '', stderr: '', failed: false, timedOut: false, truncated: false };
    const rule = rules.find(([m]) => m(argv));
    if (!rule) return { argv, exitCode: 99, signal: null, stdout: '', stderr: `fake: no answer for ${argv.join(' ')}`, failed: true, timedOut: false, truncated: false };
    const a = typeof rule[1] === 'function' ? rule[1](argv) : rule[1];
    const exitCode = a.exitCode ?? 0;
    return { argv, exitCode, signal: null, stdout: a.stdout ?? '', stderr: a.stderr ?? '', failed: exitCode !== 0, timedOut: false, truncated: false };
  };
  const shell = (mutating: boolean, options: CommandOptions): Shell => {
    const s = ((strings: TemplateStringsArray, ...values: never[]) => exec(templateToArgv(strings, values), mutating, options)) as Shell;
    s.with = (o: CommandOptions) => shell(mutating, { ...options, ...o });
    return s;
  };
  const ctx: ScriptletContext = {
    $: shell(true, {}),
    query: shell(false, {}),
    fs: null,
    host,
    dryRun: opts.dryRun ?? false,
    toolVersion: opts.toolVersion ?? '2.03.16',
    progress: (d, t) => progress.push([d, t])
  };
  return { ctx, ran, progress };
}

/** Matches a command by name (argv[0]) and, optionally, arguments it must contain. */
export const cmd =
  (name: string, ...has: string[]) =>
  (argv: string[]): boolean =>
    argv[0] === name && has.every((h) => argv.includes(h));

/** A JSON report as lvm2 2.03 prints it (values as strings). */
export function jsonReport(kind: string, rows: Record<string, string>[]): string {
  const body = rows.map((r) => `                  ${JSON.stringify(r)}`).join(',\n');
  return `  {\n      "report": [\n          {\n              "${kind}": [\n${body}\n              ]\n          }\n      ]\n  }\n`;
}

export const POOL = {
  name: 'p1',
  uuid: '11111111-2222-3333-4444-555555555555',
  type: 'logical' as const,
  source: { name: 'vg1', devices: [{ path: '/dev/loop7' }, { path: '/dev/loop8' }] }
};

export const lvRow = (name: string, attr: string, size: number, extra: Partial<Record<string, string>> = {}): Record<string, string> => ({
  lv_name: name,
  vg_name: 'vg1',
  lv_uuid: `${name.padEnd(6, 'x').slice(0, 6)}-aaaa-bbbb-cccc-dddd-eeee-ffffff`,
  lv_path: `/dev/vg1/${name}`,
  lv_attr: attr,
  lv_size: String(size),
  seg_count: '1',
  origin: '',
  lv_tags: '',
  ...extra
});
