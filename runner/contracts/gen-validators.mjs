// Build step (after tsc): every contract compiled once, with ajv's standalone code generation,
// into dist/runner/contracts/validators.js, so the agent validates without compiling schemas at
// start-up (runner/contracts/validate.ts falls back to compiling when this file is absent).
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { contractsAjv, contractRefs } = await import(join(root, 'dist', 'runner', 'contracts', 'validate.js'));
const ajv = contractsAjv(Ajv, undefined, { code: { source: true, esm: true } });
const code = standaloneCode.default(ajv, contractRefs());
// The generated ESM still calls require() for ajv's runtime helpers (string length).
const prelude = "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\n";
writeFileSync(join(root, 'dist', 'runner', 'contracts', 'validators.js'), prelude + code.replace(/^"use strict";/, ''));
