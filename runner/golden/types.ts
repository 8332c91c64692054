// The golden transcript format (golden/README.md).
import type { HostFacts } from '../scriptlet/api.js';

export type GoldenCall =
  | { kind: 'exec'; argv: string[]; stdin: string | null; exitCode: number | null; signal: string | null; timedOut: boolean; stdout: string; stderr: string; from?: string }
  | { kind: 'fs'; op: string; args: unknown[]; result: { ok: true; value?: unknown } | { ok: false; code: string; message: string } };

export interface Golden {
  scriptlet: string;
  tool: string;
  version: string;
  case: string;
  source: string;
  host: HostFacts;
  fsRoot: string | null;
  dryRun: boolean;
  input: unknown;
  calls: GoldenCall[];
  result: { ok: true; value: unknown } | { ok: false; error: { code: string } };
  note?: string;
}

/** One command of a transcript. */
export type ExecCall = Extract<GoldenCall, { kind: 'exec' }>;
