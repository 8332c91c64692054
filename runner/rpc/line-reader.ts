// Lines from a stream with a hard cap: a line longer than the cap is dropped whole (the caller
// is told, to answer with an error) instead of growing memory without bound.
import type { Readable } from 'node:stream';

export const MAX_LINE_BYTES = 8 * 1024 * 1024;

export interface LineHandlers {
  line(text: string): void;
  overflow(bytes: number): void;
  end(): void;
}

export function readLines(input: Readable, h: LineHandlers, max = MAX_LINE_BYTES): void {
  let parts: Buffer[] = [];
  let size = 0;
  let dropping = false;
  input.on('data', (chunk: Buffer) => {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (dropping || size + piece.length > max) {
        h.overflow(size + piece.length);
      } else {
        parts.push(piece);
        h.line(Buffer.concat(parts).toString('utf8'));
      }
      parts = [];
      size = 0;
      dropping = false;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return;
    if (dropping) {
      size += rest.length;
      return;
    }
    if (size + rest.length > max) {
      dropping = true;
      size += rest.length;
      parts = [];
      return;
    }
    parts.push(Buffer.from(rest));
    size += rest.length;
  });
  input.on('end', () => {
    if (dropping) h.overflow(size);
    else if (size > 0) h.line(Buffer.concat(parts).toString('utf8'));
    h.end();
  });
}
