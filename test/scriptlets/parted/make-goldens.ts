// Builds golden/parted-<version>/*.json for the old parted releases from the real transcripts in
// shared/recordings/parted-* (stdout, stderr and exit code copied verbatim; `from` names the
// file). Run by hand after a build: node dist/test/scriptlets/parted/make-goldens.js [RECDIR]
// The result of each golden is what the scriptlet gives on that transcript; review the diff.
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { replayCtx, type ExecCall } from '../helpers/ctx.js';
import { SHARED } from '../../helpers/paths.js';
import type { ScriptletDef } from '../../../runner/scriptlet/api.js';
import { servingScriptlet } from '../../golden/serving.js';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const recDir = process.argv[2] ?? join(SHARED, 'recordings');

interface Recording {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
  source: string;
  version: string;
}

const POOL = {
  name: 'rec',
  uuid: '5f6c8a52-2f7e-4b8e-9a51-0c0a3e1d2b11',
  type: 'disk' as const,
  source: { devices: [{ path: '/tmp/rec/disk.img' }], format: 'gpt' },
  target: { path: '/dev' }
};
const DOS_POOL = { ...POOL, source: { ...POOL.source, format: 'dos' } };

interface Case {
  name: string;
  op: string;
  files: string[];
  input: Record<string, unknown>;
  only?: (series: string) => boolean;
}

const is1 = (s: string) => s === 'parted-1.8';
const is3 = (s: string) => s.startsWith('parted-3.');

function cases(version: string): Case[] {
  const list: Case[] = [
    { name: 'blank-gpt', op: 'pool-build', files: ['02-print-m-blank', '04-mklabel-gpt'], input: { pool: POOL, overwrite: false } },
    { name: 'already-built', op: 'pool-build', files: ['09-print-m-gpt'], input: { pool: POOL, overwrite: false } },
    { name: 'not-built', op: 'pool-start', files: ['02-print-m-blank'], input: { pool: POOL } },
    { name: 'gpt', op: 'pool-start', files: ['09-print-m-gpt'], input: { pool: POOL } },
    { name: 'label-mismatch', op: 'pool-start', files: ['27-print-m-msdos'], input: { pool: POOL } },
    { name: 'gpt', op: 'pool-refresh', files: ['10-print-m-gpt-free'], input: { pool: POOL } },
    { name: 'gpt-after-rm', op: 'pool-refresh', files: ['20-print-m-after-rm-free'], input: { pool: POOL } },
    { name: 'msdos', op: 'pool-refresh', files: ['28-print-m-msdos-free'], input: { pool: DOS_POOL } },
    { name: 'device', op: 'pool-find-sources', files: ['09-print-m-gpt'], input: { type: 'disk', device: '/tmp/rec/disk.img' } },
    { name: 'gpt', op: 'vol-list', files: ['10-print-m-gpt-free'], input: { pool: POOL } },
    { name: 'msdos', op: 'vol-list', files: ['28-print-m-msdos-free'], input: { pool: DOS_POOL } },
    { name: 'mkpartfs', op: 'vol-list', files: ['42-fs-print-m-after-resize'], input: { pool: DOS_POOL }, only: is1 },
    { name: 'logical', op: 'vol-get', files: ['28-print-m-msdos-free'], input: { pool: DOS_POOL, name: 'disk.img5' } },
    { name: 'missing', op: 'vol-get', files: ['28-print-m-msdos-free'], input: { pool: DOS_POOL, name: 'disk.img7' } },
    { name: 'no-space', op: 'vol-create', files: ['10-print-m-gpt-free'], input: { pool: POOL, name: 'big', capacity: 1073741824 } },
    { name: 'msdos-logical', op: 'vol-delete', files: ['27-print-m-msdos', '32-rm-5'], input: { pool: DOS_POOL, volume: { name: 'disk.img5', key: '/tmp/rec/disk.img5', path: '/tmp/rec/disk.img5', type: 'block', capacity: 103809024, allocation: 103809024, format: 'none', extra: { extentStart: 106954752 } } } },
    { name: 'missing', op: 'vol-delete', files: ['15-print-m-after-resize'], input: { pool: POOL, volume: { name: 'disk.img9', key: '/tmp/rec/disk.img9', path: '/tmp/rec/disk.img9', type: 'block', capacity: 1048576, allocation: 1048576, format: 'none' } } },
    { name: 'moved', op: 'vol-delete', files: ['33-print-m-msdos-after-rm'], input: { pool: DOS_POOL, volume: { name: 'disk.img5', key: '/tmp/rec/disk.img5', path: '/tmp/rec/disk.img5', type: 'block', capacity: 103809024, allocation: 103809024, format: 'none', extra: { extentStart: 106954752 } } } },
    { name: 'grow-no-space', op: 'vol-resize', files: ['10-print-m-gpt-free'], input: { pool: POOL, volume: { name: 'disk.img3', key: '/tmp/rec/disk.img3', path: '/tmp/rec/disk.img3', type: 'block', capacity: 104857600, allocation: 104857600, format: 'none' }, capacity: 536870912, shrink: false }, only: (s) => !(is3(s) && version === '3.1') }
  ];
  const vol3 = { name: 'disk.img3', key: '/tmp/rec/disk.img3', path: '/tmp/rec/disk.img3', type: 'block', capacity: 104857600, allocation: 104857600, format: 'none' };
  // State before 18-rm-2: 15 for every version (16 and 17 failed and changed nothing).
  list.push({ name: 'gpt', op: 'vol-delete', files: ['15-print-m-after-resize', '18-rm-2'], input: { pool: POOL, volume: { name: 'disk.img2', key: '/tmp/rec/disk.img2', path: '/tmp/rec/disk.img2', type: 'block', capacity: 67108864, allocation: 67108864, format: 'none' } } });
  if (version === '3.2' || version === '3.4') {
    list.push({ name: 'grow', op: 'vol-resize', files: ['10-print-m-gpt-free', '14-resizepart', '15-print-m-after-resize'], input: { pool: POOL, volume: vol3, capacity: 209715200, shrink: false } });
  } else if (version === '3.1') {
    list.push({ name: 'unsupported', op: 'vol-resize', files: [], input: { pool: POOL, volume: vol3, capacity: 209715200, shrink: false } });
  } else {
    list.push({ name: 'no-file-system', op: 'vol-resize', files: ['10-print-m-gpt-free', '14-resize'], input: { pool: POOL, volume: vol3, capacity: 209715200, shrink: false } });
    // State before 41: 40 shrank partition 1; 42 (after the failed 41) shows it.
    list.push({ name: 'fat32-grow', op: 'vol-resize', files: ['42-fs-print-m-after-resize', '41-fs-resize-fat32-grow'], input: { pool: DOS_POOL, volume: { name: 'disk.img2', key: '/tmp/rec/disk.img2', path: '/tmp/rec/disk.img2', type: 'block', capacity: 104857600, allocation: 104857600, format: 'fat32' }, capacity: 208666624, shrink: false } });
  }
  return list;
}

async function main(): Promise<void> {
  for (const dir of readdirSync(recDir).filter((d) => d.startsWith('parted-')).sort()) {
    const version = dir.slice('parted-'.length);
    const outDir = join(root, 'golden', dir);
    mkdirSync(outDir, { recursive: true });
    for (const c of cases(version)) {
      // The series serving this version and operation, as the agent picks it.
      const serving = await servingScriptlet('parted', 'disk', c.op, version);
      const series = serving.id.split('/')[0] as string;
      if (c.only && !c.only(series)) continue;
      const recs = c.files.map((f) => ({ f, r: JSON.parse(readFileSync(join(recDir, dir, `${f}.json`), 'utf8')) as Recording }));
      const calls: ExecCall[] = recs.map(({ f, r }) => ({
        kind: 'exec', argv: r.argv, stdin: null, exitCode: r.exitCode, signal: null, timedOut: false, stdout: r.stdout, stderr: r.stderr, from: `shared/recordings/${dir}/${f}.json`
      }));
      const mod = { default: serving.def as ScriptletDef };
      const ctx = replayCtx(calls, version);
      const res = await mod.default.run(ctx, c.input as never);
      if (ctx.remaining() !== 0) throw new Error(`${dir}/${c.op}-${c.name}: ${ctx.remaining()} calls unused`);
      // The agent's golden format (runner/golden/record.ts): errors by code only.
      const result = res.ok ? res : { ok: false, error: { code: res.error.code } };
      const source = recs[0]?.r.source ?? JSON.parse(readFileSync(join(recDir, dir, '01-version.json'), 'utf8')).source;
      const golden = {
        scriptlet: `${series}/${c.op}`, tool: 'parted', version, case: c.name,
        source: `shared/recordings/${dir} (${source})`,
        host: { deviceMapper: false, root: true }, fsRoot: null, dryRun: false,
        input: c.input, calls, result
      };
      writeFileSync(join(outDir, `${c.op}-${c.name}.json`), `${JSON.stringify(golden, null, 2)}\n`);
      console.log(`${dir}/${c.op}-${c.name}: ${res.ok ? 'ok' : res.error.code} (${res.ok ? '' : res.error.message})`);
    }
  }
}

await main();
