// libvirt's storage volume XML (https://libvirt.org/formatstorage.html#storage-volume-xml): read
// a volume to create (vol-create) into a VolumeSpec, write a Volume back (vol-dumpxml).
//
// Reading follows libvirt's parser (virStorageVolDefParseXML): <name> is required; <capacity>
// too, unless a <backingStore> is given (then 0, meaning "the backing file's size") or the caller
// allows it (`capacityOptional`, libvirt's VIR_VOL_XML_PARSE_NO_CAPACITY, for vol-create-from);
// sizes take libvirt's units. A missing <allocation> stays undefined: libvirt then allocates the
// whole capacity. Values libvirt computes or reports and never reads from a document are
// ignored: <key>, <target><path>, <physical>, <timestamps>. Everything else the agent does not
// model (<encryption>, <compat>, <nocow>, <clusterSize>, <features>, the backing store's
// <permissions>, unknown elements) is kept in `preserved` and written back in its place; like
// libvirt, <features> without <compat> means compat 1.1. A <source> with one device and at most
// one extent is read into `extra` (sourceDevice, extentStart, extentEnd: strings), a larger one
// is preserved as it is. Every problem in a document is XML_ERROR.
import { err, ok, type Result } from '../errors.js';
import type { BackingStore, ImageOptions, Permissions, PoolType, Preserved, Volume, VolType } from '../contracts/generated.js';
import { attr, elem, elements, parseXml, serialize, textContent, textElem, type XElement } from './dom.js';
import { checkXmlName } from './names.js';
import { parsePermissions, permissionsElement, PERMISSIONS_ORDER } from './permissions.js';
import { ALL_VOL_FORMATS, POOL_TYPES } from './pool-types.js';
import { PreservedBuilder, PreservedWriter, declaredNamespaces } from './preserved.js';
import { parseSize } from './units.js';

export interface VolumeSpec {
  name: string;
  /** Bytes; 0 with a backing store (or with capacityOptional) when the document gives none. */
  capacity: number;
  /** Bytes; undefined when the document gives none (libvirt then allocates the whole capacity). */
  allocation?: number;
  format?: string;
  backingStore?: { path: string; format?: string };
  type?: VolType;
  permissions?: Permissions;
  /** What <target> asks of the image: <compat>, <features>, <clusterSize>, <nocow> (also kept in `preserved`). */
  image?: ImageOptions;
  /** <target><encryption format='...'>: the format asked (also kept in `preserved`). */
  encryption?: string;
  /** The <encryption> names a <cipher> or <ivgen>. */
  encryptionCipher?: boolean;
  /** Facts from <source>: sourceDevice, extentStart, extentEnd. */
  extra?: Record<string, string>;
  preserved?: Preserved;
}

export interface ParseVolOptions {
  /** The pool's type: formats are checked against that pool type's volume formats. */
  poolType?: PoolType;
  /** Allow a document without <capacity> even with no backing store (vol-create-from). */
  capacityOptional?: boolean;
}

export const VOLUME_ORDER = ['name', 'key', 'source', 'capacity', 'allocation', 'physical', 'target', 'backingStore'];
export const VOL_TARGET_ORDER = ['path', 'format', 'permissions', 'timestamps', 'encryption', 'compat', 'clusterSize', 'nocow', 'features'];
export const BACKING_ORDER = ['path', 'format', 'permissions', 'timestamps'];
export const EXTRA_SOURCE_DEVICE = 'sourceDevice';
export const EXTRA_EXTENT_START = 'extentStart';
export const EXTRA_EXTENT_END = 'extentEnd';

const VOL_TYPES: readonly VolType[] = ['file', 'block', 'dir', 'network', 'netdir'];
const QCOW2_FEATURES = ['lazy_refcounts', 'extended_l2'];

export function parseVolXml(xml: string, opts: ParseVolOptions = {}): Result<VolumeSpec> {
  const doc = parseXml(xml);
  if (!doc.ok) return doc;
  const root = doc.value;
  if (root.name !== 'volume') return err('XML_ERROR', `unexpected root element <${root.name}>, expecting <volume>`);

  const keep = new PreservedBuilder(declaredNamespaces(root));
  keep.attributes('volume', root, ['type']);
  const spec: Partial<VolumeSpec> = {};
  const t = attr(root, 'type');
  if (t !== undefined) {
    if (!(VOL_TYPES as readonly string[]).includes(t)) return err('XML_ERROR', `unknown volume type '${t.slice(0, 50)}' (expected one of ${VOL_TYPES.join(', ')})`);
    spec.type = t as VolType;
  }

  const seen = new Set<string>();
  let capacity: XElement | undefined;
  let allocation: XElement | undefined;
  let hasBacking = false;
  for (const child of elements(root)) {
    const first = !seen.has(child.name);
    seen.add(child.name);
    switch (child.name) {
      case 'name':
        if (first) spec.name = textContent(child);
        continue;
      case 'key':
      case 'physical':
        continue; // computed by the pool / output only
      case 'capacity':
        if (first) capacity = child;
        continue;
      case 'allocation':
        if (first) allocation = child;
        continue;
      case 'source': {
        if (!first) continue;
        const extra = sourceExtra(child);
        if (extra === undefined) break; // not a simple one: keep it as it is
        if (Object.keys(extra).length) spec.extra = extra;
        continue;
      }
      case 'target': {
        if (!first) continue;
        const r = parseVolTarget(child, 'volume/target', VOL_TARGET_KNOWN, keep, opts);
        if (!r.ok) return r;
        if (r.value.format !== undefined) spec.format = r.value.format;
        if (r.value.permissions) spec.permissions = r.value.permissions;
        if (r.value.image) spec.image = r.value.image;
        if (r.value.encryption !== undefined) spec.encryption = r.value.encryption;
        if (r.value.encryptionCipher) spec.encryptionCipher = true;
        continue;
      }
      case 'backingStore': {
        if (!first) continue;
        const path = elements(child).find((c) => c.name === 'path');
        const p = path ? textContent(path) : '';
        if (p === '') break; // libvirt ignores a backing store without a path; keep it as it was
        const r = parseVolTarget(child, 'volume/backingStore', BACKING_KNOWN, keep, opts);
        if (!r.ok) return r;
        const backing: BackingStore = { path: p };
        if (r.value.format !== undefined) backing.format = r.value.format;
        spec.backingStore = backing;
        hasBacking = true;
        continue;
      }
      default:
        break;
    }
    keep.element('volume', child);
  }

  if (spec.name === undefined || spec.name === '') return err('XML_ERROR', 'missing volume name element');
  const n = checkXmlName('volume name', spec.name);
  if (!n.ok) return n;

  if (capacity) {
    const c = xmlSize(capacity, 'capacity');
    if (!c.ok) return c;
    spec.capacity = c.value;
  } else if (hasBacking || opts.capacityOptional) {
    spec.capacity = 0;
  } else {
    return err('XML_ERROR', 'missing capacity element (required unless a <backingStore> is given)');
  }
  if (allocation) {
    const a = xmlSize(allocation, 'allocation');
    if (!a.ok) return a;
    spec.allocation = a.value;
  }

  const preserved = keep.result({
    volume: VOLUME_ORDER,
    'volume/target': VOL_TARGET_ORDER,
    'volume/target/permissions': PERMISSIONS_ORDER,
    'volume/backingStore': BACKING_ORDER,
    'volume/backingStore/permissions': PERMISSIONS_ORDER
  });
  const out: VolumeSpec = { name: spec.name, capacity: spec.capacity };
  if (spec.allocation !== undefined) out.allocation = spec.allocation;
  if (spec.format !== undefined) out.format = spec.format;
  if (spec.backingStore) out.backingStore = spec.backingStore;
  if (spec.type) out.type = spec.type;
  if (spec.permissions) out.permissions = spec.permissions;
  if (spec.image) out.image = spec.image;
  if (spec.encryption !== undefined) out.encryption = spec.encryption;
  if (spec.encryptionCipher) out.encryptionCipher = true;
  if (spec.extra) out.extra = spec.extra;
  if (preserved) out.preserved = preserved;
  return ok(out);
}

function xmlSize(el: XElement, what: string): Result<number> {
  const r = parseSize(textContent(el), attr(el, 'unit') ?? '');
  return r.ok ? r : err('XML_ERROR', `malformed ${what} element: ${r.error.message}`);
}

/** <source><device path='P'><extent start='S' end='E'/></device></source> as extra, or undefined if it holds more. */
function sourceExtra(el: XElement): Record<string, string> | undefined {
  const devices = elements(el);
  if (el.attrs.length) return undefined;
  if (devices.length === 0) return {};
  const dev = devices[0]!;
  if (devices.length > 1 || dev.name !== 'device') return undefined;
  const path = attr(dev, 'path');
  if (path === undefined || dev.attrs.length !== 1) return undefined;
  const extents = elements(dev);
  if (extents.length > 1) return undefined;
  const extra: Record<string, string> = { [EXTRA_SOURCE_DEVICE]: path };
  const ext = extents[0];
  if (ext) {
    const start = attr(ext, 'start');
    const end = attr(ext, 'end');
    if (ext.name !== 'extent' || ext.attrs.length !== 2 || !/^[0-9]+$/.test(start ?? '') || !/^[0-9]+$/.test(end ?? '')) return undefined;
    extra[EXTRA_EXTENT_START] = start!;
    extra[EXTRA_EXTENT_END] = end!;
  }
  return extra;
}

const VOL_TARGET_KNOWN = ['path', 'format', 'permissions', 'timestamps'];
const BACKING_KNOWN = ['path', 'format', 'permissions', 'timestamps'];

/** Read <target> or <backingStore>: format and (for <target>) permissions; the rest is kept. */
function parseVolTarget(
  el: XElement,
  path: string,
  known: readonly string[],
  keep: PreservedBuilder,
  opts: ParseVolOptions
): Result<TargetFacts> {
  const out: TargetFacts = {};
  const image: ImageOptions = {};
  const seen = new Set<string>();
  let hasFeatures = false;
  let hasCompat = false;
  keep.attributes(path, el, []);
  for (const child of elements(el)) {
    const first = !seen.has(child.name);
    seen.add(child.name);
    if (child.name === 'permissions' && path !== 'volume/target') {
      // The agent does not model a backing store's permissions: check them like libvirt, keep them in libvirt's form.
      if (!first) continue;
      const extras = new PreservedBuilder();
      const p = parsePermissions(child, `${path}/permissions`, extras);
      if (!p.ok) return p;
      const el = extras.result() ? child : permissionsElement(p.value);
      if (el) keep.element(path, el);
      continue;
    }
    if (!known.includes(child.name)) {
      const c = checkTargetExtra(child, path);
      if (!c.ok) return c;
      if (child.name === 'features') hasFeatures = true;
      if (child.name === 'compat') hasCompat = true;
      if (path === 'volume/target' && first) {
        const r = readImageElement(child, image);
        if (!r.ok) return r;
        if (child.name === 'encryption') {
          out.encryption = attr(child, 'format') ?? '';
          // libvirt passes <cipher>/<ivgen> to qemu-img; the agent does not yet, and never drops them silently.
          if (elements(child).some((c) => c.name === 'cipher' || c.name === 'ivgen')) out.encryptionCipher = true;
        }
      }
      keep.element(path, child);
      continue;
    }
    if (!first) continue;
    if (child.name === 'format') {
      const f = attr(child, 'type');
      if (f === undefined) continue;
      // Like libvirt, a pool type without volume formats (logical, iscsi, ...) ignores <format>:
      // it is never written back for such a pool, so it is not part of what was read either.
      if (opts.poolType && !POOL_TYPES[opts.poolType].volFormats) continue;
      const allowed = opts.poolType ? POOL_TYPES[opts.poolType].volFormats : [...ALL_VOL_FORMATS];
      if (allowed && !allowed.includes(f)) {
        return err('XML_ERROR', `unknown volume format type '${f.slice(0, 50)}'${opts.poolType ? ` for a ${opts.poolType} pool` : ''} (expected one of: ${allowed.join(', ')})`);
      }
      out.format = f;
    } else if (child.name === 'permissions') {
      const p = parsePermissions(child, `${path}/permissions`, keep);
      if (!p.ok) return p;
      // An empty <permissions> says nothing and is not written back: not part of what was read.
      if (Object.keys(p.value).length) out.permissions = p.value;
    }
    // path is read by the caller (backingStore) or computed by the pool (target); timestamps are output only
  }
  if (hasFeatures && !hasCompat && path === 'volume/target') {
    keep.element(path, elem('compat', [], ['1.1']));
    image.compat = '1.1';
  }
  if (Object.keys(image).length) out.image = image;
  return ok(out);
}

interface TargetFacts {
  format?: string;
  permissions?: Permissions;
  image?: ImageOptions;
  encryption?: string;
  encryptionCipher?: boolean;
}

/** <compat>, <features>, <clusterSize>, <nocow> as image options (already checked by checkTargetExtra). */
function readImageElement(el: XElement, image: ImageOptions): Result<true> {
  switch (el.name) {
    case 'compat': {
      const c = textContent(el).trim();
      // qemu-img knows two levels; libvirt passes any dotted version and lets qemu-img refuse.
      if (c !== '0.10' && c !== '1.1') return err('XML_ERROR', `unsupported <compat> ${JSON.stringify(c.slice(0, 40))} (qemu-img knows 0.10 and 1.1)`);
      image.compat = c;
      break;
    }
    case 'features': {
      const f = elements(el).map((x) => x.name).filter((n): n is 'lazy_refcounts' | 'extended_l2' => n === 'lazy_refcounts' || n === 'extended_l2');
      if (f.length) image.features = [...new Set(f)];
      break;
    }
    case 'clusterSize': {
      const r = xmlSize(el, 'clusterSize');
      if (!r.ok) return r;
      image.clusterSize = r.value;
      break;
    }
    case 'nocow':
      image.nocow = true;
      break;
    default:
      break;
  }
  return ok(true);
}

/** Check the target elements libvirt validates but the agent keeps as they are. */
function checkTargetExtra(el: XElement, path: string): Result<true> {
  if (path !== 'volume/target') return ok(true);
  if (el.name === 'compat' && !/^[0-9]+\.[0-9]+$/.test(textContent(el).trim())) {
    return err('XML_ERROR', `forbidden characters in <compat> '${textContent(el).slice(0, 40)}' (expected a version like 1.1)`);
  }
  if (el.name === 'features') {
    for (const f of elements(el)) {
      if (!QCOW2_FEATURES.includes(f.name)) return err('XML_ERROR', `unsupported volume feature <${f.name}> (expected ${QCOW2_FEATURES.join(', ')})`);
    }
  }
  if (el.name === 'clusterSize') {
    const r = xmlSize(el, 'clusterSize');
    if (!r.ok) return r;
  }
  return ok(true);
}

export interface FormatVolOptions {
  /** The pool's type: decides whether <format> is written (libvirt writes none for logical, iscsi, ... volumes). */
  poolType?: PoolType;
  /** XML kept from the document the volume was created from. */
  preserved?: Preserved;
}

/** Write a volume as libvirt does (vol-dumpxml). */
export function formatVolXml(vol: Volume, opts: FormatVolOptions = {}): string {
  const w = new PreservedWriter(opts.preserved);
  const kids: Array<XElement | undefined> = [textElem('name', vol.name), textElem('key', vol.key)];

  const device = vol.extra?.[EXTRA_SOURCE_DEVICE];
  const fromExtra = device !== undefined && device !== '';
  if (fromExtra) {
    const start = vol.extra?.[EXTRA_EXTENT_START];
    const end = vol.extra?.[EXTRA_EXTENT_END];
    const extent = start !== undefined && end !== undefined ? [elem('extent', [['start', String(start)], ['end', String(end)]])] : [];
    kids.push(elem('source', [], [elem('device', [['path', String(device)]], extent)]));
  }
  kids.push(textElem('capacity', vol.capacity, [['unit', 'bytes']]));
  kids.push(textElem('allocation', vol.allocation, [['unit', 'bytes']]));
  if (vol.physical !== undefined) kids.push(textElem('physical', vol.physical, [['unit', 'bytes']]));

  kids.push(targetElement('target', 'volume/target', vol.path, vol.format, vol.permissions, VOL_TARGET_ORDER, w, opts.poolType, imageElements(vol)));
  if (vol.backingStore) {
    kids.push(targetElement('backingStore', 'volume/backingStore', vol.backingStore.path, vol.backingStore.format, undefined, BACKING_ORDER, w, opts.poolType));
  }

  const root = elem('volume', [['type', vol.type], ...w.attributes('volume')], kids.filter((x): x is XElement => x !== undefined));
  w.place(root, 'volume', VOLUME_ORDER, fromExtra ? ['source'] : []);
  root.attrs.push(...w.namespaceAttributes());
  return serialize(root);
}

function targetElement(
  name: string,
  path: string,
  filePath: string,
  format: string | undefined,
  perms: Permissions | undefined,
  order: readonly string[],
  w: PreservedWriter,
  poolType: PoolType | undefined,
  facts: XElement[] = []
): XElement {
  const kids: Array<XElement | undefined> = [textElem('path', filePath)];
  if (format && writesFormat(poolType, format)) kids.push(elem('format', [['type', format]]));
  const p = permissionsElement(perms) ?? (w.hasFragments(`${path}/permissions`) ? elem('permissions') : undefined);
  if (p) {
    p.attrs.push(...w.attributes(`${path}/permissions`));
    w.place(p, `${path}/permissions`, PERMISSIONS_ORDER);
    kids.push(p);
  }
  kids.push(...facts);
  const el = elem(name, w.attributes(path), kids.filter((x): x is XElement => x !== undefined));
  // An element written from the image's facts replaces the one kept from a document.
  w.place(el, path, order, facts.map((f) => f.name));
  return el;
}

/**
 * What the image itself says, as libvirt's vol-dumpxml writes it: <encryption format='luks'/>,
 * <compat>, <clusterSize unit='B'> and <features> (qcow2 header facts).
 */
function imageElements(vol: Volume): XElement[] {
  const out: XElement[] = [];
  if (vol.encryption) out.push(elem('encryption', [['format', vol.encryption.format]]));
  if (vol.compat !== undefined) out.push(elem('compat', [], [vol.compat]));
  if (vol.clusterSize !== undefined) out.push(elem('clusterSize', [['unit', 'B']], [String(vol.clusterSize)]));
  if (vol.features?.length) out.push(elem('features', [], vol.features.map((f) => elem(f))));
  return out;
}

/** libvirt writes <format> only for pool types with volume formats, and the schema only knows its own names. */
function writesFormat(poolType: PoolType | undefined, format: string): boolean {
  if (poolType && !POOL_TYPES[poolType].volFormats) return false;
  return ALL_VOL_FORMATS.has(format);
}
