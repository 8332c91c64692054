// XML the agent does not interpret, kept for round-trip (contracts/defs.json#/definitions/Preserved).
//
// Keys are element paths ('pool', 'pool/source', 'volume/target', ...); each value lists, in
// document order, the raw XML of the unknown children of that element, written in libvirt's
// style and self-contained: a fragment that uses a namespace prefix declares it
// (`<fs:mount_opts xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'>...`).
// Unknown attributes of an element the agent models go under `PATH/@` as `name='value'` strings.
//
// On output each fragment is parsed again with the same limits as any input (so a damaged or
// hostile Preserved can never break the document: a fragment that is not exactly one
// well-formed element is left out), and put back under its parent at the place libvirt writes
// that element; elements libvirt does not know go after the known ones, namespaced extensions
// last. Namespace declarations move to the root element, as libvirt writes them.
import { elements, escapeAttr, isElement, parseXml, prefixOf, serialize, localName, type XElement } from './dom.js';
import type { Preserved } from '../contracts/generated.js';

const ATTR_KEY = '/@';

/** Collects unknown elements and attributes while a document is read. */
export class PreservedBuilder {
  private readonly out: Record<string, string[]> = {};

  /** @param namespaces prefix -> URI declared on the root element */
  constructor(private readonly namespaces: ReadonlyMap<string, string> = new Map()) {}

  /**
   * Keep an unknown child element of the element at `path`, in one canonical form, so that the
   * fragment read back from the agent's own output is the same string (the writer moves a
   * fragment's namespace declarations to the root): its other attributes in document order, then
   * a declaration for each prefix it uses (its own binding, else the root's), sorted by prefix.
   * Declarations of prefixes it does not use are dropped: they mean nothing, and the writer
   * could not give them back.
   */
  element(path: string, el: XElement): void {
    const own = declaredNamespaces(el);
    const decls: Array<[string, string]> = [];
    for (const p of [...usedPrefixes(el)].sort()) {
      const uri = own.get(p) ?? this.namespaces.get(p);
      if (uri !== undefined) decls.push([`xmlns:${p}`, uri]);
    }
    const copy: XElement = { ...el, attrs: [...el.attrs.filter(([k]) => !k.startsWith('xmlns:')), ...decls] };
    this.push(path, serialize(copy).trimEnd());
  }

  /** Keep the attributes of `el` (at `path`) that are not in `known` (namespace declarations are not kept: fragments carry their own). */
  attributes(path: string, el: XElement, known: readonly string[]): void {
    for (const [k, v] of el.attrs) {
      if (known.includes(k) || k === 'xmlns' || k.startsWith('xmlns:')) continue;
      this.push(path + ATTR_KEY, `${k}='${escapeAttr(v)}'`);
    }
  }

  has(path: string, local: string): boolean {
    return (this.out[path] ?? []).some((f) => new RegExp(`^<${local}[\\s/>]`).test(f));
  }

  private push(path: string, raw: string): void {
    (this.out[path] ??= []).push(raw);
  }

  /**
   * The kept XML. With `orders` (path -> libvirt's child order there), each list is put in the
   * order the writer will give it, so that what is read from written output equals what was read.
   */
  result(orders: Readonly<Record<string, readonly string[]>> = {}): Preserved | undefined {
    const out: Record<string, string[]> = {};
    for (const [path, list] of Object.entries(this.out)) {
      const order = orders[path];
      out[path] = order ? list.map((raw, i) => ({ raw, i, r: rank(/^<([^\s/>]+)/.exec(raw)?.[1] ?? '', order) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.raw) : [...list];
    }
    return Object.keys(out).length ? out : undefined;
  }
}

/** Where libvirt writes a child named `name` among siblings written in `order`: unknown ones after, namespaced ones last. */
export function rank(name: string, order: readonly string[]): number {
  if (prefixOf(name)) return order.length + 1;
  const i = order.indexOf(localName(name));
  return i === -1 ? order.length : i;
}

function usedPrefixes(el: XElement, acc = new Set<string>()): Set<string> {
  const p = prefixOf(el.name);
  if (p && p !== 'xml') acc.add(p);
  for (const [k] of el.attrs) {
    const ap = prefixOf(k);
    if (ap && ap !== 'xmlns' && ap !== 'xml') acc.add(ap);
  }
  for (const c of elements(el)) usedPrefixes(c, acc);
  return acc;
}

/** Puts preserved XML back while a document is written. */
export class PreservedWriter {
  private readonly ns = new Map<string, string>();

  constructor(private readonly preserved: Preserved | undefined) {}

  /** The fragments kept for `path`, parsed; broken ones are left out. */
  fragments(path: string): XElement[] {
    const list = this.preserved?.[path];
    if (!Array.isArray(list)) return [];
    const out: XElement[] = [];
    for (const raw of list) {
      if (typeof raw !== 'string') continue;
      const r = parseXml(raw);
      if (r.ok) out.push(r.value);
    }
    return out;
  }

  hasFragments(path: string): boolean {
    return this.fragments(path).length > 0;
  }

  /** Unknown attributes kept for the element at `path`. */
  attributes(path: string): Array<[string, string]> {
    const list = this.preserved?.[path + ATTR_KEY];
    if (!Array.isArray(list)) return [];
    const out: Array<[string, string]> = [];
    for (const raw of list) {
      if (typeof raw !== 'string') continue;
      // Parse the pair through the XML parser (so entities are decoded and junk is refused).
      const r = parseXml(`<a ${raw}/>`);
      if (r.ok && r.value.attrs.length === 1) {
        const [k, v] = r.value.attrs[0]!;
        if (k !== 'xmlns' && !k.startsWith('xmlns:')) out.push([k, v]);
      }
    }
    return out;
  }

  /**
   * Add the fragments kept for `path` to `parent`, and sort its children into libvirt's order
   * (`order`: the local names of the children libvirt writes, in the order it writes them).
   * Fragments named in `skip` are left out (the caller wrote that element itself).
   */
  place(parent: XElement, path: string, order: readonly string[], skip: readonly string[] = []): void {
    for (const frag of this.fragments(path)) {
      if (skip.includes(frag.name)) continue;
      // Move namespace declarations to the root, unless the prefix is bound differently there.
      const kept: Array<[string, string]> = [];
      for (const [k, v] of frag.attrs) {
        if (k.startsWith('xmlns:')) {
          const p = k.slice(6);
          const bound = this.ns.get(p);
          if (bound === undefined || bound === v) {
            this.ns.set(p, v);
            continue;
          }
        }
        kept.push([k, v]);
      }
      parent.children.push({ ...frag, attrs: kept });
    }
    const kids = parent.children.filter(isElement);
    const sorted = kids.map((el, i) => ({ el, i, r: rank(el.name, order) })).sort((a, b) => a.r - b.r || a.i - b.i);
    parent.children = sorted.map((s) => s.el);
  }

  /** Namespace declarations collected by place(), for the root element. */
  namespaceAttributes(): Array<[string, string]> {
    return [...this.ns.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([p, uri]) => [`xmlns:${p}`, uri]);
  }
}

/** Namespace declarations (prefix -> URI) on an element. */
export function declaredNamespaces(el: XElement): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of el.attrs) if (k.startsWith('xmlns:')) m.set(k.slice(6), v);
  return m;
}
