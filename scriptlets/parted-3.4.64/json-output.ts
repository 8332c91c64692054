// parted 3.4.64 (the 3.5 alpha) added `--json`: the parser of that output, which this series and
// later ones read instead of `-m`.
import type { FreeRegion, PartKind, ParseResult, PartedDisk, PartedPartition } from '../lib/parted.js';
import { bytes } from '../lib/parted.js';

// `--json` (parted 3.4.64+): {"disk": {path, size: "<n>B", model, transport,
// "logical-sector-size", "physical-sector-size", label, "max-partitions", flags?, partitions:
// [{number, start, end, size, type: primary|logical|extended|free, name?, filesystem?, flags?}]}}
// On a disk with no label it prints the disk object (label "unknown") and exits 1.

export function parseJson(stdout: string): ParseResult {
  const begin = stdout.indexOf('{');
  const end = stdout.lastIndexOf('}');
  if (begin < 0 || end < begin) return { ok: false, reason: 'no JSON object in parted --json output' };
  let doc: unknown;
  try {
    doc = JSON.parse(stdout.slice(begin, end + 1));
  } catch (e) {
    return { ok: false, reason: `parted --json output is not JSON: ${(e as Error).message}` };
  }
  const d = (doc as { disk?: Record<string, unknown> }).disk;
  if (!d || typeof d !== 'object') return { ok: false, reason: 'no "disk" object in parted --json output' };
  const size = bytes(String(d['size'] ?? ''));
  if (size === null) return { ok: false, reason: `unreadable disk size: ${String(d['size'])}` };
  const disk: PartedDisk = {
    path: String(d['path'] ?? ''),
    size,
    transport: String(d['transport'] ?? ''),
    logicalSectorSize: Number(d['logical-sector-size'] ?? 512),
    physicalSectorSize: Number(d['physical-sector-size'] ?? 512),
    label: String(d['label'] ?? 'unknown'),
    model: String(d['model'] ?? ''),
    flags: Array.isArray(d['flags']) ? (d['flags'] as unknown[]).map(String) : []
  };
  const partitions: PartedPartition[] = [];
  const free: FreeRegion[] = [];
  const list = Array.isArray(d['partitions']) ? (d['partitions'] as Record<string, unknown>[]) : [];
  for (const p of list) {
    const s = bytes(String(p['start'] ?? ''));
    const e = bytes(String(p['end'] ?? ''));
    const z = bytes(String(p['size'] ?? ''));
    if (s === null || e === null || z === null) return { ok: false, reason: `unreadable partition entry: ${JSON.stringify(p)}` };
    const type = String(p['type'] ?? 'primary');
    if (type === 'free') {
      free.push({ start: s, end: e, size: z });
      continue;
    }
    partitions.push({
      number: Number(p['number']),
      start: s,
      end: e,
      size: z,
      fs: String(p['filesystem'] ?? ''),
      name: String(p['name'] ?? ''),
      flags: Array.isArray(p['flags']) ? (p['flags'] as unknown[]).map(String) : [],
      kind: type === 'logical' || type === 'extended' ? type : 'primary'
    });
  }
  return { ok: true, table: { disk, partitions, free } };
}
