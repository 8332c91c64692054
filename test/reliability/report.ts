// `npm run soak` ends with this: the figures every reliability suite recorded (SA_FIGURES), as
// one table, so the soak run's output states what was tried and what failed.
import { existsSync, readFileSync } from 'node:fs';
import type { Figure } from './figures.js';

const file = process.argv[2] ?? process.env['SA_FIGURES'];
if (!file || !existsSync(file)) {
  process.stdout.write('no figures were recorded\n');
  process.exit(1);
}
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Figure);
// Several files may record the same metric: numbers add up, text is listed.
const merged = new Map<string, Figure>();
for (const r of rows) {
  const k = `${r.suite}\0${r.metric}`;
  const prev = merged.get(k);
  if (prev && typeof prev.value === 'number' && typeof r.value === 'number') prev.value += r.value;
  else if (prev) prev.value = `${prev.value}; ${r.value}`;
  else merged.set(k, { ...r });
}
const w = Math.max(...[...merged.values()].map((f) => `${f.suite} ${f.metric}`.length), 10);
process.stdout.write(`\nreliability figures (${rows.length} records)\n${'-'.repeat(w + 14)}\n`);
for (const f of [...merged.values()].sort((a, b) => (a.suite + a.metric).localeCompare(b.suite + b.metric))) {
  process.stdout.write(`${`${f.suite} ${f.metric}`.padEnd(w)}  ${String(f.value)}\n`);
}
