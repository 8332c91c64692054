// What a guest session records: one entry per step, written to the results share after every
// step (a session cut short by the time limit still leaves what it did). The host's tap test
// judges them; the guest only observes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StepRecord {
  name: string;
  /** Wall time of the step in the guest (for the report, never asserted). */
  ms: number;
  seen?: Record<string, unknown>;
  /** The step itself broke (an exception in the session): the host fails it with this. */
  thrown?: string;
}

export interface SessionRecord {
  started: string;
  steps: StepRecord[];
}

export class Recorder {
  readonly record: SessionRecord = { started: new Date().toISOString(), steps: [] };
  constructor(private readonly file: string) {}

  async step(name: string, fn: () => Promise<Record<string, unknown>>): Promise<Record<string, unknown> | undefined> {
    const t0 = Date.now();
    let seen: Record<string, unknown> | undefined;
    try {
      seen = await fn();
      this.record.steps.push({ name, ms: Date.now() - t0, seen });
    } catch (e) {
      this.record.steps.push({ name, ms: Date.now() - t0, thrown: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    }
    writeFileSync(this.file, JSON.stringify(this.record, null, 1));
    return seen;
  }
}

export const resultsFile = (dir: string, session: string): string => join(dir, `${session}.json`);
