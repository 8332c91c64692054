import { appendFileSync } from 'node:fs';
export interface Figure { suite: string; metric: string; value: number | string }
export function recordFigure(f: Figure): void {
  const file = process.env['SA_FIGURES'];
  if (file) appendFileSync(file, `${JSON.stringify(f)}\n`);
  process.stdout.write(`# figure ${f.suite} ${f.metric}=${f.value}\n`);
}
export const SOAK = process.env['SOAK'] === '1';
