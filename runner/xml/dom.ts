// A small, safe XML tree for libvirt's pool and volume documents: parse untrusted text into
// elements (with hard limits, no DTDs, no entity expansion) and write elements back in libvirt's
// style (2-space indentation, single-quoted attributes). Pure: no I/O.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { err, ok, type Result } from '../errors.js';

/** One element: its qualified name, attributes in document order, children in document order. */
export interface XElement {
  name: string;
  attrs: Array<[string, string]>;
  /** Elements and text (already decoded). */
  children: XNode[];
  /** Write `<x>\n</x>` rather than `<x/>` when empty (libvirt does this for a pool's `<source>`). */
  keepOpen?: boolean;
}
export type XNode = XElement | string;

export interface XmlLimits {
  /** Largest input, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest element nesting (the root is depth 1). */
  maxDepth: number;
  /** Most elements in the whole document. */
  maxElements: number;
}

export const DEFAULT_LIMITS: XmlLimits = { maxBytes: 1024 * 1024, maxDepth: 64, maxElements: 10000 };

const xmlError = (message: string) => err('XML_ERROR', message);
const clip = (s: string, max = 200): string => (s.length > max ? `${s.slice(0, max)}…` : s);

const TEXT = '#text';
const CDATA = '#cdata';
const ATTRS = ':@';

/** Characters XML 1.0 forbids anywhere in a document (C0 controls except tab, newline, return). */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/**
 * Parse a whole document and return its root element. Every problem is XML_ERROR: too large,
 * too deep, too many elements, a DTD or entity declaration (never expanded, always refused),
 * malformed text, unknown entity references, more than one root.
 */
export function parseXml(xml: string, limits: XmlLimits = DEFAULT_LIMITS): Result<XElement> {
  if (typeof xml !== 'string') return xmlError('XML document must be a string');
  // Cheap checks first, before any parser sees the text.
  if (xml.length > limits.maxBytes || Buffer.byteLength(xml, 'utf8') > limits.maxBytes) {
    return xmlError(`XML document is larger than ${limits.maxBytes} bytes`);
  }
  const text = xml.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '');
  if (text.trim() === '') return xmlError('XML document is empty');
  const bad = FORBIDDEN_CHARS.exec(text);
  if (bad) return xmlError(`XML document contains a forbidden control character (U+${bad[0].charCodeAt(0).toString(16).padStart(4, '0')})`);
  // `<!` may only open a comment or a CDATA section: DOCTYPE, ENTITY, ELEMENT, ATTLIST are refused.
  const decl = /<!(?!--|\[CDATA\[)/.exec(text);
  if (decl) {
    const what = /^<!\s*([A-Za-z]*)/.exec(text.slice(decl.index, decl.index + 20))?.[1] ?? '';
    return xmlError(`XML document type declarations are not allowed (found <!${what}); entities are never expanded`);
  }
  let opens = 0;
  for (let i = text.indexOf('<'); i !== -1; i = text.indexOf('<', i + 1)) {
    const c = text.charCodeAt(i + 1);
    // An element start: a name start character (not '/', '!', '?').
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 58 || c > 127) {
      if (++opens > limits.maxElements) return xmlError(`XML document has more than ${limits.maxElements} elements`);
    }
  }

  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) {
    const e = valid.err;
    return xmlError(`malformed XML at line ${e.line}${e.col === undefined ? '' : `, column ${e.col}`}: ${clip(e.msg)}`);
  }

  let raw: unknown;
  try {
    raw = new XMLParser({
      preserveOrder: true,
      ignoreAttributes: false,
      attributeNamePrefix: '',
      textNodeName: TEXT,
      cdataPropName: CDATA,
      commentPropName: false,
      processEntities: false,
      htmlEntities: false,
      trimValues: false,
      parseTagValue: false,
      parseAttributeValue: false,
      ignoreDeclaration: true,
      ignorePiTags: true,
      allowBooleanAttributes: false,
      removeNSPrefix: false,
      maxNestedTags: limits.maxDepth
    }).parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return xmlError(`malformed XML: ${/nested/i.test(msg) ? `nesting deeper than ${limits.maxDepth} levels` : clip(msg)}`);
  }
  if (!Array.isArray(raw)) return xmlError('malformed XML: no root element');

  const roots: XElement[] = [];
  const counter = { n: 0 };
  for (const item of raw) {
    const conv = convert(item, 1, limits, counter);
    if (!conv.ok) return conv;
    for (const node of conv.value) {
      if (typeof node === 'string') {
        if (node.trim() !== '') return xmlError('malformed XML: text outside the root element');
      } else {
        roots.push(node);
      }
    }
  }
  if (roots.length !== 1) return xmlError(roots.length === 0 ? 'malformed XML: no root element' : 'malformed XML: more than one root element');
  return ok(roots[0]!);
}

/** Convert one fast-xml-parser ordered entry into our nodes (an entry is one element or text). */
function convert(item: unknown, depth: number, limits: XmlLimits, counter: { n: number }): Result<XNode[]> {
  if (item === null || typeof item !== 'object') return ok([]);
  const entry = item as Record<string, unknown>;
  const out: XNode[] = [];
  for (const key of Object.keys(entry)) {
    if (key === ATTRS) continue;
    const value = entry[key];
    if (key === TEXT) {
      const dec = decodeEntities(String(value ?? ''));
      if (!dec.ok) return dec;
      out.push(dec.value);
      continue;
    }
    if (key === CDATA) {
      // CDATA content is literal text: [{ '#text': '...' }]
      const parts = Array.isArray(value) ? value : [];
      out.push(parts.map((p) => (p && typeof p === 'object' ? String((p as Record<string, unknown>)[TEXT] ?? '') : '')).join(''));
      continue;
    }
    if (depth > limits.maxDepth) return xmlError(`malformed XML: nesting deeper than ${limits.maxDepth} levels`);
    if (++counter.n > limits.maxElements) return xmlError(`XML document has more than ${limits.maxElements} elements`);
    const el: XElement = { name: key, attrs: [], children: [] };
    const attrs = entry[ATTRS];
    if (attrs && typeof attrs === 'object') {
      for (const [name, v] of Object.entries(attrs as Record<string, unknown>)) {
        const rawValue = String(v ?? '');
        if (rawValue.includes('<')) return xmlError(`malformed XML: '<' in the value of attribute '${name}' of <${key}>`);
        const dec = decodeEntities(rawValue.replace(/[\t\n]/g, ' '));
        if (!dec.ok) return dec;
        el.attrs.push([name, dec.value]);
      }
    }
    if (Array.isArray(value)) {
      for (const child of value) {
        const conv = convert(child, depth + 1, limits, counter);
        if (!conv.ok) return conv;
        el.children.push(...conv.value);
      }
    }
    out.push(el);
  }
  return ok(out);
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Decode the five predefined entities and character references; anything else is an error. */
export function decodeEntities(s: string): Result<string> {
  if (!s.includes('&')) return ok(s);
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    if (amp === -1) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, amp);
    const semi = s.indexOf(';', amp);
    if (semi === -1 || semi - amp > 12) return xmlError(`malformed XML: '&' not starting an entity reference (use &amp;)`);
    const ref = s.slice(amp + 1, semi);
    let ch: string | undefined;
    if (ref.startsWith('#x') || ref.startsWith('#X')) {
      ch = /^[0-9a-fA-F]{1,6}$/.test(ref.slice(2)) ? codePoint(parseInt(ref.slice(2), 16)) : undefined;
    } else if (ref.startsWith('#')) {
      ch = /^[0-9]{1,7}$/.test(ref.slice(1)) ? codePoint(parseInt(ref.slice(1), 10)) : undefined;
    } else {
      ch = Object.prototype.hasOwnProperty.call(NAMED, ref) ? NAMED[ref] : undefined;
      if (ch === undefined) return xmlError(`unknown entity '&${ref};' (only XML's predefined entities are allowed)`);
    }
    if (ch === undefined) return xmlError(`invalid character reference '&${ref};'`);
    out += ch;
    i = semi + 1;
  }
  return ok(out);
}

function codePoint(n: number): string | undefined {
  const valid = n === 0x9 || n === 0xa || n === 0xd || (n >= 0x20 && n <= 0xd7ff) || (n >= 0xe000 && n <= 0xfffd) || (n >= 0x10000 && n <= 0x10ffff);
  return valid ? String.fromCodePoint(n) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Reading helpers

export const isElement = (n: XNode): n is XElement => typeof n !== 'string';

export const elements = (el: XElement): XElement[] => el.children.filter(isElement);

/** The local part of a qualified name (`fs:mount_opts` -> `mount_opts`). */
export const localName = (name: string): string => name.slice(name.indexOf(':') + 1);

export const prefixOf = (name: string): string | undefined => (name.includes(':') ? name.slice(0, name.indexOf(':')) : undefined);

export function attr(el: XElement, name: string): string | undefined {
  for (const [k, v] of el.attrs) if (k === name) return v;
  return undefined;
}

/** All text inside an element, like XPath string(): the concatenated text of its descendants. */
export function textContent(el: XElement): string {
  let s = '';
  for (const c of el.children) s += typeof c === 'string' ? c : textContent(c);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Writing

export function elem(name: string, attrs: Array<[string, string | number | undefined]> = [], children: XNode[] = []): XElement {
  const a: Array<[string, string]> = [];
  for (const [k, v] of attrs) if (v !== undefined) a.push([k, String(v)]);
  return { name, attrs: a, children };
}

/** `<name>text</name>`, or undefined when the text is undefined (so callers can skip it). */
export function textElem(name: string, text: string | number | undefined, attrs: Array<[string, string | number | undefined]> = []): XElement | undefined {
  return text === undefined ? undefined : elem(name, attrs, [String(text)]);
}

export function escapeText(s: string): string {
  return s.replace(/[&<>'"\r]/g, (c) => TEXT_ESCAPES[c]!);
}

export function escapeAttr(s: string): string {
  return s.replace(/[&<>'"\r\n\t]/g, (c) => TEXT_ESCAPES[c]!);
}

const TEXT_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&apos;',
  '"': '&quot;',
  '\r': '&#13;',
  '\n': '&#10;',
  '\t': '&#9;'
};

/**
 * Write an element the way libvirt does: one element per line, 2-space indentation, single
 * quotes, text-only elements on one line, empty elements self-closed. Whitespace-only text
 * between child elements is layout and is not written; other text beside elements is written on
 * its own line.
 */
export function serialize(el: XElement, indent = ''): string {
  const lines: string[] = [];
  write(el, indent, lines);
  return lines.join('\n') + '\n';
}

function write(el: XElement, indent: string, lines: string[]): void {
  const open = `${indent}<${el.name}${el.attrs.map(([k, v]) => ` ${k}='${escapeAttr(v)}'`).join('')}`;
  const kids = el.children.filter((c) => isElement(c) || c !== '');
  const hasElements = kids.some(isElement);
  if (!hasElements) {
    const txt = kids.join('');
    // Whitespace-only text with a line break is layout (`<source>\n  </source>`), not content.
    if (txt === '' || (txt.trim() === '' && txt.includes('\n'))) {
      lines.push(el.keepOpen ? `${open}>\n${indent}</${el.name}>` : `${open}/>`);
    } else {
      lines.push(`${open}>${escapeText(txt)}</${el.name}>`);
    }
    return;
  }
  lines.push(`${open}>`);
  for (const c of kids) {
    if (typeof c === 'string') {
      if (c.trim() !== '') lines.push(`${indent}  ${escapeText(c.trim())}`);
    } else {
      write(c, `${indent}  `, lines);
    }
  }
  lines.push(`${indent}</${el.name}>`);
}
