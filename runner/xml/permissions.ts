// <permissions> of a pool target, a volume target or a backing store, read and written as libvirt
// does (virStorageDefParsePerms): mode is octal and only permission bits (0..0777); owner and
// group are numbers (leading zeros allowed, as XPath number() reads them), -1 meaning "unset";
// 4294967295 is (uid_t)-1 and reads as -1. The mode is written as '0' + three octal digits.
import { err, ok, type Result } from '../errors.js';
import type { Permissions } from '../contracts/generated.js';
import { elem, elements, textContent, textElem, type XElement } from './dom.js';
import type { PreservedBuilder } from './preserved.js';

const KNOWN = ['mode', 'owner', 'group', 'label'];
const UID_MAX = 4294967295;

/** Read `<permissions>` at `path` (e.g. 'pool/target/permissions'); unknown children are kept. */
export function parsePermissions(el: XElement, path: string, keep: PreservedBuilder): Result<Permissions> {
  const perms: Permissions = {};
  const seen = new Set<string>();
  keep.attributes(path, el, []);
  for (const child of elements(el)) {
    if (!KNOWN.includes(child.name)) {
      keep.element(path, child);
      continue;
    }
    if (seen.has(child.name)) continue; // libvirt reads the first one
    seen.add(child.name);
    const text = textContent(child);
    if (child.name === 'mode') {
      const m = parseMode(text);
      if (!m.ok) return m;
      perms.mode = m.value;
    } else if (child.name === 'owner' || child.name === 'group') {
      const t = text.trim();
      const n = /^-?[0-9]+$/.test(t) ? Number(t) : NaN;
      if (!Number.isSafeInteger(n) || n < -1 || n > UID_MAX) {
        return err('XML_ERROR', `malformed ${child.name} element ${JSON.stringify(t.slice(0, 40))} in ${path} (expected a number, or -1)`);
      }
      perms[child.name] = n === UID_MAX ? -1 : n;
    } else {
      perms.label = text;
    }
  }
  // A fixed key order, whatever the document's order.
  const out: Permissions = {};
  for (const k of KNOWN as Array<keyof Permissions>) if (perms[k] !== undefined) (out as Record<string, unknown>)[k] = perms[k];
  return ok(out);
}

/** An octal mode as libvirt accepts it ('0700', '755', '0'), normalized to '0' + 3 digits. */
export function parseMode(text: string): Result<string> {
  const t = text.trim();
  const n = /^[+]?[0-7]+$/.test(t) ? parseInt(t.replace('+', ''), 8) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 0o777) {
    return err('XML_ERROR', `malformed octal mode ${JSON.stringify(t.slice(0, 40))} (expected permission bits 0..0777, like 0755)`);
  }
  return ok(formatMode(n));
}

export const formatMode = (n: number): string => `0${n.toString(8).padStart(3, '0')}`;

/** `<permissions>` for output, or undefined when nothing is set (libvirt then writes none). */
export function permissionsElement(p: Permissions | undefined): XElement | undefined {
  if (!p) return undefined;
  let mode: string | undefined;
  if (p.mode !== undefined) {
    const m = parseMode(p.mode);
    mode = m.ok ? m.value : undefined;
  }
  const kids = [
    textElem('mode', mode),
    textElem('owner', p.owner),
    textElem('group', p.group),
    textElem('label', p.label)
  ].filter((x): x is XElement => x !== undefined);
  return kids.length ? elem('permissions', [], kids) : undefined;
}

export const PERMISSIONS_ORDER = KNOWN;
