// The storage-agent command: `serve` (JSON-RPC on stdio), `call METHOD JSON` (one request),
// `check` (the scriptlet tree's rules), and the virsh-like verbs.
import { createRuntime } from '../runtime.js';
import { createService, detachedCall, type Service } from '../service/context.js';
import { dispatch } from '../service/dispatch.js';
import { failure, type RpcResponse } from '../rpc/protocol.js';
import { serve } from '../rpc/server.js';
import { runCheck } from '../check/check.js';
import { parseArgs } from './args.js';
import { VERBS, type Verb } from './verbs.js';
import type { Result } from '../errors.js';

const out = (s: string) => process.stdout.write(s);
const errOut = (s: string) => process.stderr.write(s);

function usage(): string {
  const lines = VERBS.map((v) => `  ${v.usage.padEnd(70)} ${v.help}`);
  return [
    'usage: storage-agent [--home DIR] [--json] [--record DIR [--source TEXT]] COMMAND [ARGS]',
    '',
    'Commands:',
    `  ${'serve'.padEnd(70)} JSON-RPC 2.0 on stdin/stdout, one message per line.`,
    `  ${"call METHOD ['{\"json\":\"params\"}']".padEnd(70)} Run one request; print the JSON-RPC response.`,
    `  ${'check'.padEnd(70)} Check the scriptlets: contracts, ranges, goldens, imports.`,
    ...lines,
    '',
    'State lives in $STORAGE_AGENT_HOME or --home (default /var/lib/storage-agent for root).',
    '--record DIR writes every real scriptlet run as a golden under DIR; --source says where its output came from.',
    ''
  ].join('\n');
}

/** --home, --json, --record DIR and --source TEXT may stand anywhere before `--`. */
function globalOptions(argv: string[]): { home?: string; json: boolean; help: boolean; rest: string[] } | string {
  const rest: string[] = [];
  let home: string | undefined;
  let json = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--home') {
      home = argv[++i];
      if (home === undefined) return '--home needs a directory';
    } else if (a.startsWith('--home=')) home = a.slice(7);
    else if (a === '--record' || a === '--source') {
      // Record mode (runner/golden/record.ts): the same settings as the environment variables.
      const v = argv[++i];
      if (v === undefined) return `${a} needs a value`;
      process.env[a === '--record' ? 'STORAGE_AGENT_RECORD' : 'STORAGE_AGENT_RECORD_SOURCE'] = v;
    }
    else if (a === '--json') json = true;
    else if (a === '--help' || a === '-h') help = true;
    else rest.push(a);
  }
  return home === undefined ? { json, help, rest } : { home, json, help, rest };
}

async function service(home: string | undefined): Promise<Service> {
  return createService(await createRuntime(home === undefined ? {} : { home }));
}

function reportError(r: Extract<Result<unknown>, { ok: false }>, json: boolean): number {
  if (json) out(`${JSON.stringify({ error: r.error }, null, 2)}\n`);
  errOut(`error: ${r.error.code}: ${r.error.message}\n`);
  return 1;
}

async function runVerb(verb: Verb, args: string[], home: string | undefined, json: boolean): Promise<number> {
  const parsed = parseArgs(args, new Set(verb.valued ?? []));
  if (typeof parsed === 'string') {
    errOut(`error: INVALID_ARGUMENT: ${parsed}\nusage: storage-agent ${verb.usage}\n`);
    return 2;
  }
  const known = new Set([...(verb.valued ?? []), ...(verb.flags ?? [])]);
  const unknown = [...parsed.options.keys()].find((k) => !known.has(k));
  if (unknown) {
    errOut(`error: INVALID_ARGUMENT: unknown option --${unknown}\nusage: storage-agent ${verb.usage}\n`);
    return 2;
  }
  if (parsed.positionals.length < verb.minPositionals || parsed.positionals.length > verb.maxPositionals) {
    errOut(`error: INVALID_ARGUMENT: wrong number of arguments\nusage: storage-agent ${verb.usage}\n`);
    return 2;
  }
  const call = verb.toCall(parsed);
  if (typeof call === 'string') {
    errOut(`error: INVALID_ARGUMENT: ${call}\n`);
    return 2;
  }
  const svc = await service(home);
  try {
    let r = await dispatch(svc, detachedCall(), call.method, call.params);
    if (r.ok && verb.then) {
      const second = verb.then(r.value, parsed);
      r = await dispatch(svc, detachedCall(), second.method, second.params);
    }
    if (!r.ok) return reportError(r, json);
    out(json ? `${JSON.stringify(r.value, null, 2)}\n` : verb.render(r.value, parsed));
    return 0;
  } finally {
    svc.rt.sandbox.close();
  }
}

async function runCall(args: string[], home: string | undefined): Promise<number> {
  const [method, json] = args;
  if (!method || args.length > 2) {
    errOut(`error: INVALID_ARGUMENT: usage: storage-agent call METHOD ['{"json":"params"}']\n`);
    return 2;
  }
  let params: unknown = {};
  if (json !== undefined) {
    try {
      params = JSON.parse(json);
    } catch (e) {
      errOut(`error: INVALID_ARGUMENT: params are not JSON: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const svc = await service(home);
  try {
    const r = await dispatch(svc, detachedCall(), method, params);
    const resp: RpcResponse = r.ok ? { jsonrpc: '2.0', id: 1, result: r.value } : failure(1, r.error);
    out(`${JSON.stringify(resp)}\n`);
    if (!r.ok) errOut(`error: ${r.error.code}: ${r.error.message}\n`);
    return r.ok ? 0 : 1;
  } finally {
    svc.rt.sandbox.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const g = globalOptions(argv);
  if (typeof g === 'string') {
    errOut(`error: INVALID_ARGUMENT: ${g}\n`);
    return 2;
  }
  const [command, ...rest] = g.rest;
  if (!command || command === 'help') {
    out(usage());
    return command || g.help ? 0 : 2;
  }
  if (g.help) {
    const v = VERBS.find((x) => x.name === command);
    out(v ? `usage: storage-agent ${v.usage}\n\n${v.help}\n` : usage());
    return 0;
  }
  switch (command) {
    case 'serve': {
      const svc = await service(g.home);
      await serve(svc, { input: process.stdin, output: process.stdout, log: (m) => errOut(`${m}\n`) });
      return 0;
    }
    case 'call':
      return runCall(rest, g.home);
    case 'check': {
      const problems = await runCheck();
      for (const p of problems) errOut(`check: ${p}\n`);
      if (problems.length === 0) out('check: all scriptlets have contracts and goldens, ranges do not overlap, imports are clean\n');
      return problems.length ? 1 : 0;
    }
    default: {
      const verb = VERBS.find((v) => v.name === command);
      if (!verb) {
        errOut(`error: INVALID_ARGUMENT: unknown command ${command} (storage-agent help lists them)\n`);
        return 2;
      }
      return runVerb(verb, rest, g.home, g.json);
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    errOut(`error: INTERNAL: ${(e as Error)?.stack ?? String(e)} (please report this)\n`);
    process.exitCode = 70;
  }
);
