// The contracts in contracts/ compiled once per process with ajv: method params on the way in
// (INVALID_ARGUMENT naming the field), scriptlet input and output around every run
// (CONTRACT_VIOLATION).
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Ajv as AjvType, ErrorObject, ValidateFunction } from 'ajv';
import type { ErrorData } from '../errors.js';

const here = dirname(fileURLToPath(import.meta.url));
/** contracts/ at the package root (two levels above dist/runner/contracts). */
export const CONTRACTS_DIR = resolve(here, '..', '..', '..', 'contracts');

export const AJV_OPTIONS = { allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true } as const;

/** Every schema ref the agent validates against, named for standalone export. */
export function contractRefs(dir: string = CONTRACTS_DIR): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [sub, parts] of [['methods', ['params', 'result']], ['ops', ['input', 'output']]] as const) {
    for (const f of readdirSync(join(dir, sub)).filter((x) => x.endsWith('.json')).sort()) {
      for (const part of parts) {
        const ref = `${sub}/${f}#/properties/${part}`;
        refs[exportName(ref)] = ref;
      }
    }
  }
  return refs;
}

export const exportName = (ref: string) => `v_${ref.replace(/[^A-Za-z0-9]/g, '_')}`;

/** An ajv instance holding every contract (for compiling, here or at build time). */
export function contractsAjv(AjvClass: new (o: object) => AjvType, dir: string = CONTRACTS_DIR, extra: object = {}): AjvType {
  const ajv = new AjvClass({ ...AJV_OPTIONS, ...extra });
  ajv.addSchema(JSON.parse(readFileSync(join(dir, 'defs.json'), 'utf8')));
  for (const sub of ['methods', 'ops']) {
    for (const f of readdirSync(join(dir, sub)).filter((x) => x.endsWith('.json')).sort()) ajv.addSchema(JSON.parse(readFileSync(join(dir, sub, f), 'utf8')));
  }
  return ajv;
}

const listNames = (dir: string, sub: string) => new Set(readdirSync(join(dir, sub)).filter((x) => x.endsWith('.json')).map((f) => f.replace(/\.json$/, '')));

export class Contracts {
  private ajv: AjvType | null = null;
  private cache = new Map<string, ValidateFunction>();
  readonly methods: ReadonlySet<string>;
  readonly ops: ReadonlySet<string>;

  /**
   * `precompiled`: validators the build generated with ajv's standalone mode
   * (dist/runner/contracts/validators.js), so a one-shot call compiles no schema. Without them
   * (or for a ref they lack) ajv compiles on first use.
   */
  constructor(private readonly dir: string = CONTRACTS_DIR, private readonly precompiled: Record<string, ValidateFunction> = {}) {
    this.methods = listNames(dir, 'methods');
    this.ops = listNames(dir, 'ops');
  }

  static async load(dir: string = CONTRACTS_DIR): Promise<Contracts> {
    if (dir === CONTRACTS_DIR) {
      try {
        const mod = (await import(new URL('./validators.js', import.meta.url).href)) as Record<string, ValidateFunction>;
        return new Contracts(dir, mod);
      } catch {
        // Not built with validators (a development build): compile on demand.
      }
    }
    return new Contracts(dir);
  }

  private get(ref: string): ValidateFunction {
    let v = this.cache.get(ref) ?? this.precompiled[exportName(ref)];
    if (!v) {
      if (!this.ajv) {
        const { Ajv } = createRequire(import.meta.url)('ajv') as { Ajv: new (o: object) => AjvType };
        this.ajv = contractsAjv(Ajv, this.dir);
      }
      const found = this.ajv.getSchema(ref);
      if (!found) throw new Error(`no contract ${ref}`);
      v = found;
    }
    this.cache.set(ref, v);
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
