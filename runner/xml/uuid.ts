// UUIDs as libvirt reads them: 32 hex digits, with or without the usual dashes, surrounding
// blanks ignored; written lowercase with dashes (8-4-4-4-12).
import { randomUUID } from 'node:crypto';
import { err, ok, type Result } from '../errors.js';

const UUID_RE = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export function parseUuid(text: string): Result<string> {
  const t = text.trim();
  if (!UUID_RE.test(t)) return err('XML_ERROR', `malformed uuid ${JSON.stringify(text.slice(0, 100))} (expected 32 hex digits like 70a7eb15-6c34-ee9c-bf57-69e8e5ff3fb2)`);
  const h = t.replace(/-/g, '').toLowerCase();
  return ok(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
}

/** A new random UUID (version 4), for pools defined without one. */
export const newUuid = (): string => randomUUID();
