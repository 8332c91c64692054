// Sizes with libvirt's units (https://libvirt.org/formatstorage.html, "unit" attribute; the rules
// are those of libvirt's virScaleInteger, which both the XML parser and virsh use):
//   b, byte, bytes            1
//   KB, MB, GB, TB, PB, EB    powers of 1000
//   k, M, G, T, P, E          powers of 1024, and so are KiB, MiB, GiB, TiB, PiB, EiB
// Suffixes are case-insensitive, as in libvirt ('kb' = 'KB' = 1000, 'g' = 'G' = 'GiB'), and a
// missing unit means bytes. Values are whole numbers of digits: no sign, no decimals (virsh
// rejects '1.5G' too; write 1536M). The result must fit in 2^53-1 bytes (JSON's safe integers),
// otherwise INVALID_ARGUMENT. Zero is accepted here (libvirt allows a zero capacity or
// allocation); callers that need a positive size check it themselves. Errors are INVALID_ARGUMENT;
// the XML parsers turn them into XML_ERROR, as every problem in a document is an XML error.
import { err, ok, type Result } from '../errors.js';

const MAX = BigInt(Number.MAX_SAFE_INTEGER);
const POWERS = ['k', 'm', 'g', 't', 'p', 'e'];

/** The factor of a libvirt unit, or undefined when libvirt would reject it ("unknown suffix"). */
export function unitFactor(unit: string | undefined): bigint | undefined {
  if (unit === undefined || unit === '') return 1n;
  const u = unit.toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return 1n;
  const power = POWERS.indexOf(u[0]!) + 1;
  if (power === 0) return undefined;
  const rest = u.slice(1);
  const base = rest === '' || rest === 'ib' ? 1024n : rest === 'b' ? 1000n : undefined;
  return base === undefined ? undefined : base ** BigInt(power);
}

/**
 * Parse a size. With `unit` given (the XML form, `<capacity unit='G'>10</capacity>`), `value` is
 * digits only. Without it (the CLI form, like virsh's scaled integers), the value may end with a
 * unit: '10G', '512M', '4096', '1TB'.
 */
export function parseSize(value: string, unit?: string): Result<number> {
  if (typeof value !== 'string') return err('INVALID_ARGUMENT', 'a size must be a string of digits');
  const v = value.trim();
  let digits = v;
  let suffix = unit;
  if (unit === undefined) {
    const m = /^([0-9]+)([A-Za-z]*)$/.exec(v);
    if (!m) return bad(value);
    digits = m[1]!;
    suffix = m[2];
  } else if (!/^[0-9]+$/.test(v)) {
    return bad(value);
  }
  const factor = unitFactor(suffix?.trim());
  if (factor === undefined) {
    return err('INVALID_ARGUMENT', `unknown size unit '${clip(suffix ?? '')}' (use b, KB, k/KiB, MB, M/MiB, GB, G/GiB, TB, T/TiB, PB, P/PiB, EB, E/EiB)`);
  }
  // 2^53-1 has 16 digits: a longer number (leading zeros aside) is too large before any BigInt
  // is made, so a megabyte of digits costs a scan, not a quadratic conversion.
  const significant = digits.replace(/^0+(?=[0-9])/, '');
  const bytes = significant.length > 16 ? MAX + 1n : BigInt(significant) * factor;
  if (bytes > MAX) {
    return err('INVALID_ARGUMENT', `size ${clip(v)}${unit ? ` ${clip(unit)}` : ''} is too large (at most ${Number.MAX_SAFE_INTEGER} bytes)`);
  }
  return ok(Number(bytes));
}

/** A value as quoted in a message: sizes come from untrusted documents and may be megabytes long. */
const clip = (s: string, max = 40): string => (s.length > max ? `${s.slice(0, max)}… (${s.length} characters)` : s);

function bad(value: string) {
  const full = String(value).trim();
  const v = clip(full);
  if (/^[0-9]*\.[0-9]+[A-Za-z]*$/.test(full)) {
    return err('INVALID_ARGUMENT', `size '${v}' is not a whole number (decimals are not accepted, as in virsh: use a smaller unit, e.g. 1536M for 1.5G)`);
  }
  if (/^-/.test(full)) return err('INVALID_ARGUMENT', `size '${v}' is negative`);
  return err('INVALID_ARGUMENT', `malformed size '${v}' (expected a whole number of bytes, optionally with a unit like 10G or 512MiB)`);
}

const PRETTY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];

/** A size for people, like virsh's tables: '0.00 B', '512.00 KiB', '10.00 GiB'. */
export function formatSize(bytes: number): string {
  let unit = 0;
  let v = bytes;
  while (v >= 1024 && unit < PRETTY.length - 1) {
    v /= 1024;
    unit++;
  }
  return `${v.toFixed(2)} ${PRETTY[unit]}`;
}
