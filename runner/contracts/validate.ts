// The contracts in contracts/ compiled once per process with ajv: method params on the way in
// (INVALID_ARGUMENT naming the field), scriptlet input and output around every run
// (CONTRACT_VIOLATION).
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { ErrorData } from '../errors.js';

const here = dirname(fileURLToPath(import.meta.url));
/** contracts/ at the package root (two levels above dist/runner/contracts). */
export const CONTRACTS_DIR = resolve(here, '..', '..', '..', 'contracts');

export class Contracts {
  private ajv: Ajv;
  private cache = new Map<string, ValidateFunction>();
  readonly methods: ReadonlySet<string>;
  readonly ops: ReadonlySet<string>;

  constructor(dir: string = CONTRACTS_DIR) {
    this.ajv = new Ajv({ allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true });
    const load = (sub: string) => {
      const names: string[] = [];
      for (const f of readdirSync(join(dir, sub)).filter((x) => x.endsWith('.json')).sort()) {
        this.ajv.addSchema(JSON.parse(readFileSync(join(dir, sub, f), 'utf8')));
        names.push(f.replace(/\.json$/, ''));
      }
      return new Set(names);
    };
    this.ajv.addSchema(JSON.parse(readFileSync(join(dir, 'defs.json'), 'utf8')));
    this.methods = load('methods');
    this.ops = load('ops');
  }

  private get(ref: string): ValidateFunction {
    let v = this.cache.get(ref);
    if (!v) {
      const found = this.ajv.getSchema(ref);
      if (!found) throw new Error(`no contract ${ref}`);
      v = found;
      this.cache.set(ref, v);
    }
    return v;
  }

  /** null when valid; else the first problem, as INVALID_ARGUMENT data naming the field. */
  checkParams(method: string, params: unknown): ErrorData | null {
    const v = this.get(`methods/${method}.json#/properties/params`);
    if (v(params)) return null;
    const e = pickError(v.errors ?? []);
    return { code: 'INVALID_ARGUMENT', message: `invalid params for ${method}: ${describe(e)}`, field: fieldOf(e) };
  }

  checkResult(method: string, result: unknown): ErrorData | null {
    const v = this.get(`methods/${method}.json#/properties/result`);
    if (v(result)) return null;
    return { code: 'INTERNAL', message: `result of ${method} does not match its contract: ${describe(pickError(v.errors ?? []))} (please report this)` };
  }

  checkOp(op: string, which: 'input' | 'output', value: unknown): string | null {
    const v = this.get(`ops/${op}.json#/properties/${which}`);
    if (v(value)) return null;
    return describe(pickError(v.errors ?? []));
  }

  hasOp(op: string): boolean {
    return this.ops.has(op);
  }
}

// For oneOf failures ajv lists every branch's complaint; the deepest path is the useful one.
function pickError(errors: readonly ErrorObject[]): ErrorObject | undefined {
  let best: ErrorObject | undefined;
  for (const e of errors) {
    if (!best || e.instancePath.length > best.instancePath.length) best = e;
  }
  return best;
}

function fieldOf(e: ErrorObject | undefined): string {
  if (!e) return '';
  const base = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
  if (e.keyword === 'required') return [base, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
  if (e.keyword === 'additionalProperties') return [base, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
  return base;
}

function describe(e: ErrorObject | undefined): string {
  if (!e) return 'does not match';
  const field = fieldOf(e) || '(params)';
  if (e.keyword === 'additionalProperties') return `${field}: unknown field`;
  if (e.keyword === 'required') return `${field}: required`;
  return `${field}: ${e.message ?? 'invalid'}`;
}
