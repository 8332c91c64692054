// Build step: TypeScript types come from the JSON Schemas in contracts/, never the other way
// round. All schemas are folded into one document (so shared definitions are declared once) and
// compiled to runner/contracts/generated.ts (not committed), one type per schema title.
import { compile } from 'json-schema-to-typescript';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const contracts = join(root, 'contracts');
const read = (...p) => JSON.parse(readFileSync(join(contracts, ...p), 'utf8'));
// Cross-file refs (defs.json#/definitions/X) become local refs in the folded document.
const localize = (schema) => JSON.parse(JSON.stringify(schema).replaceAll('"../defs.json#/definitions/', '"#/definitions/'));

const defs = read('defs.json');
const folded = { title: 'Contracts', type: 'object', definitions: { ...defs.definitions } };
const maps = [];
const methodNames = [];
for (const dir of ['methods', 'ops']) {
  const entries = [];
  for (const file of readdirSync(join(contracts, dir)).filter((f) => f.endsWith('.json')).sort()) {
    const schema = localize(read(dir, file));
    delete schema.$id;
    delete schema.$schema;
    folded.definitions[schema.title] = schema;
    entries.push(`  '${file.replace(/\.json$/, '')}': ${schema.title};`);
    if (dir === 'methods') methodNames.push(file.replace(/\.json$/, ''));
  }
  maps.push(`export interface ${dir === 'methods' ? 'MethodContracts' : 'OpContracts'} {\n${entries.join('\n')}\n}`);
}
const ts = await compile(folded, 'Contracts', {
  bannerComment: '// Generated from contracts/*.json by runner/contracts/gen-types.mjs. Do not edit.',
  unreachableDefinitions: true, additionalProperties: false, strictIndexSignatures: true, format: false
});
// The method names as a value too: the typed client builds its methods from it at run time.
maps.push(`export const METHOD_NAMES = ${JSON.stringify(methodNames)} as const satisfies readonly (keyof MethodContracts)[];`);
writeFileSync(join(root, 'runner', 'contracts', 'generated.ts'), [ts, ...maps, ''].join('\n'));
