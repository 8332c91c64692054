// Pure reading of image file headers, the way libvirt's storage file probing tells a qcow2 from a
// raw file without running qemu-img (which would cost a process per volume in a listing).
// Offsets from the formats' own specifications (qcow2: docs/interop/qcow2.txt in QEMU).

export interface HeaderInfo {
  format: string;
  /** Virtual size from the header; null means "the file's size" (raw). */
  capacity: number | null;
  /** qcow/qcow2: where the backing file name is, if any. */
  backing: { offset: number; length: number } | null;
  /** qcow2 v3: header length, where header extensions start. */
  headerLength: number;
  /** LUKS1: where the payload starts (bytes; payload-offset sectors at 104), when the header bytes reach it. */
  luksPayload?: number;
  /** qcow2: what libvirt's vol-dumpxml shows of the image (compat, clusterSize, features, encryption). */
  qcow2?: Qcow2Facts;
}

export interface Qcow2Facts {
  compat: '0.10' | '1.1';
  clusterSize: number;
  /** Known only when the header bytes reach the feature fields (v3: offsets 72-87). */
  features?: string[];
  /** crypt_method 2. */
  luks: boolean;
}

const u32be = (b: Uint8Array, o: number) => ((b[o] ?? 0) * 2 ** 24) + (((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0));
const u64be = (b: Uint8Array, o: number) => u32be(b, o) * 2 ** 32 + u32be(b, o + 4);
const u32le = (b: Uint8Array, o: number) => u32be(Uint8Array.from([b[o + 3] ?? 0, b[o + 2] ?? 0, b[o + 1] ?? 0, b[o] ?? 0]), 0);
const u64le = (b: Uint8Array, o: number) => u32le(b, o + 4) * 2 ** 32 + u32le(b, o);
const ascii = (b: Uint8Array, o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));

export function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function readHeader(header: Uint8Array): HeaderInfo {
  if (header.length >= 32 && ascii(header, 0, 3) === 'QFI' && header[3] === 0xfb) {
    const version = u32be(header, 4);
    const boff = u64be(header, 8);
    const blen = u32be(header, 16);
    const size = u64be(header, 24);
    const backing = boff > 0 && blen > 0 ? { offset: boff, length: blen } : null;
    if (version === 1) return { format: 'qcow', capacity: size, backing, headerLength: 48 };
    const headerLength = version >= 3 && header.length >= 104 ? u32be(header, 100) : version >= 3 ? 104 : 72;
    return { format: 'qcow2', capacity: size, backing, headerLength, qcow2: qcow2Facts(header, version) };
  }
  if (header.length >= 20 && ascii(header, 0, 4) === 'KDMV') return { format: 'vmdk', capacity: u64le(header, 12) * 512, backing: null, headerLength: 0 };
  if (header.length >= 8 && ascii(header, 0, 8) === 'vhdxfile') return { format: 'vhdx', capacity: null, backing: null, headerLength: 0 };
  if (header.length >= 8 && ascii(header, 0, 8) === 'conectix') return { format: 'vpc', capacity: null, backing: null, headerLength: 0 };
  if (header.length >= 56 && ascii(header, 0, 3) === 'QED' && header[3] === 0) {
    return { format: 'qed', capacity: u64le(header, 48), backing: null, headerLength: 0 };
  }
  if (header.length >= 6 && ascii(header, 0, 4) === 'LUKS' && header[4] === 0xba && header[5] === 0xbe) {
    const version = header.length >= 8 ? ((header[6] ?? 0) << 8) | (header[7] ?? 0) : 0;
    const h: HeaderInfo = { format: 'luks', capacity: null, backing: null, headerLength: 0 };
    if (version === 1 && header.length >= 108) h.luksPayload = u32be(header, 104) * 512;
    return h;
  }
  return { format: 'raw', capacity: null, backing: null, headerLength: 0 };
}

/** From the qcow2 header (docs/interop/qcow2.txt): cluster_bits at 20, crypt_method at 32, v3 feature bits at 72/80. */
function qcow2Facts(h: Uint8Array, version: number): Qcow2Facts {
  const clusterBits = u32be(h, 20);
  const facts: Qcow2Facts = { compat: version >= 3 ? '1.1' : '0.10', clusterSize: clusterBits >= 9 && clusterBits <= 21 ? 2 ** clusterBits : 0, luks: u32be(h, 32) === 2 };
  if (version < 3) facts.features = [];
  else if (h.length >= 88) {
    const features: string[] = [];
    // The low 32 bits of each big-endian 64-bit field hold the bits libvirt shows.
    if (u32be(h, 84) & 1) features.push('lazy_refcounts');
    if (u32be(h, 76) & 16) features.push('extended_l2');
    facts.features = features;
  }
  return facts;
}

/**
 * The qcow2 backing format from the header extensions (type 0xE2792ACA), given the image's first
 * bytes up to at least the backing file offset.
 */
export function qcow2BackingFormat(bytes: Uint8Array, headerLength: number, limit: number): string | null {
  let o = headerLength;
  while (o + 8 <= Math.min(bytes.length, limit)) {
    const type = u32be(bytes, o);
    const len = u32be(bytes, o + 4);
    if (type === 0) return null;
    if (type === 0xe2792aca) return ascii(bytes, o + 8, len);
    o += 8 + Math.ceil(len / 8) * 8;
  }
  return null;
}

export function backingName(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
