// A pool's <source>, read and written as libvirt does (virStoragePoolDefParseSource and
// virStoragePoolSourceFormat). Shared by pool XML and find-storage-pool-sources' <sources>.
//
// Reading: the parts the pool type uses become PoolSource fields; everything else in <source>
// (<adapter>, <auth>, parts another pool type uses, unknown elements) is kept in Preserved under
// 'pool/source'. Like libvirt, the first of repeated single elements (<name>, <dir>, <format>,
// ...) is used and the others ignored; unknown attributes of repeated elements (<host>,
// <device>) are not kept.
// Writing: libvirt's order (host, device, dir, adapter, name, initiator, format, auth, protocol,
// vendor, product), each part only for pool types that use it.
import { err, ok, type Result } from '../errors.js';
import type { PoolAuth, PoolSource, PoolType, SourceDevice } from '../contracts/generated.js';
import { parseUuid } from './uuid.js';
import { attr, elem, elements, textContent, textElem, type XElement } from './dom.js';
import { POOL_TYPES } from './pool-types.js';
import type { PreservedBuilder } from './preserved.js';

export const SOURCE_PATH = 'pool/source';
export const SOURCE_ORDER = ['host', 'device', 'dir', 'adapter', 'name', 'initiator', 'format', 'auth', 'protocol', 'vendor', 'product'];

const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/** Read a pool's <source> element for a pool of `type`. */
export function parsePoolSource(el: XElement, type: PoolType, keep: PreservedBuilder, path = SOURCE_PATH): Result<PoolSource> {
  const info = POOL_TYPES[type];
  const src: PoolSource = {};
  const seen = new Set<string>();
  keep.attributes(path, el, []);
  for (const child of elements(el)) {
    const first = !seen.has(child.name);
    seen.add(child.name);
    switch (child.name) {
      case 'host': {
        if (!info.host) break;
        const h = parseHost(child);
        if (!h.ok) return h;
        (src.hosts ??= []).push(h.value);
        continue;
      }
      case 'device': {
        if (!info.device) break;
        const d = parseDevice(child);
        if (!d.ok) return d;
        (src.devices ??= []).push(d.value);
        continue;
      }
      case 'dir':
        if (!info.dir) break;
        if (first) {
          const p = attr(child, 'path');
          if (p !== undefined && p !== '') src.dir = sanitizePath(p);
        }
        continue;
      case 'name':
        if (!info.name) break;
        if (first) {
          const n = textContent(child);
          if (n !== '') src.name = n;
        }
        continue;
      case 'initiator':
        if (!info.initiator) break;
        if (first) {
          const iqn = elements(child).find((c) => c.name === 'iqn');
          const name = iqn ? attr(iqn, 'name') : undefined;
          if (name !== undefined && name !== '') src.initiator = name;
        }
        continue;
      case 'auth': {
        // CHAP for the iSCSI types (the agent's use); other types keep <auth> as it was.
        if (!AUTH_TYPES.has(type)) break;
        if (!first) continue;
        const a = parseAuth(child);
        if (!a.ok) return a;
        src.auth = a.value;
        continue;
      }
      case 'format':
        if (!info.formats) break;
        if (first) {
          const f = attr(child, 'type');
          if (f !== undefined) {
            if (!info.formats.includes(f)) {
              return err('XML_ERROR', `unknown pool format type '${f}' for a ${type} pool (expected one of: ${info.formats.join(', ')})`);
            }
            src.format = f;
          }
        }
        continue;
      case 'protocol':
        if (type !== 'netfs') break;
        if (first) {
          const v = attr(child, 'ver');
          if (v !== undefined) {
            if (!/^[0-9]+(\.[0-9]+)?$/.test(v.trim())) return err('XML_ERROR', `storage pool protocol ver '${v}' is malformed (expected a number like 3 or 4.1)`);
            src.protocolVersion = v.trim();
          }
        }
        continue;
      case 'vendor':
      case 'product':
        if (first) {
          const n = attr(child, 'name');
          if (n !== undefined) src[child.name] = n;
        }
        continue;
      default:
        break;
    }
    keep.element(path, child);
  }
  if (src.protocolVersion !== undefined && src.format !== undefined && src.format !== 'nfs' && src.format !== 'auto') {
    return err('XML_ERROR', `storage pool protocol ver is not supported for netfs format '${src.format}' (only nfs and auto)`);
  }
  return ok(src);
}

/** Pool types whose <auth> the agent reads (CHAP); libvirt also has ceph auth for rbd. */
const AUTH_TYPES: ReadonlySet<string> = new Set(['iscsi', 'iscsi-direct']);

function parseAuth(el: XElement): Result<PoolAuth> {
  const type = attr(el, 'type');
  if (type !== 'chap') return err('XML_ERROR', `unsupported auth type '${type ?? ''}' for an iSCSI pool (expected chap)`);
  const username = attr(el, 'username');
  if (username === undefined || username === '') return err('XML_ERROR', "missing auth username: <auth type='chap' username='...'>");
  const secretEl = elements(el).find((c) => c.name === 'secret');
  if (!secretEl) return err('XML_ERROR', "missing auth secret: <auth> needs <secret uuid='...'/> or <secret usage='...'/>");
  const uuid = attr(secretEl, 'uuid');
  const usage = attr(secretEl, 'usage');
  // libvirt: uuid wins when both are given; one of them is required.
  if (uuid !== undefined && uuid !== '') {
    const u = parseUuid(uuid);
    if (!u.ok) return err('XML_ERROR', `auth secret: ${u.error.message}`);
    return ok({ type, username, secret: { uuid: u.value } });
  }
  if (usage !== undefined && usage !== '') return ok({ type, username, secret: { usage } });
  return err('XML_ERROR', 'auth secret needs a uuid or a usage attribute');
}

function parseHost(el: XElement): Result<{ name: string; port?: number }> {
  const name = attr(el, 'name');
  if (name === undefined || name === '') return err('XML_ERROR', 'missing storage pool host name');
  const portText = attr(el, 'port');
  if (portText === undefined) return ok({ name });
  const t = portText.trim();
  const port = /^-?[0-9]{1,6}$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return err('XML_ERROR', `invalid port number '${portText}' for host '${name}' (expected 1..65535)`);
  // libvirt treats port 0 as "no port" and does not write it.
  return ok(port === 0 ? { name } : { name, port });
}

function parseDevice(el: XElement): Result<SourceDevice> {
  const path = attr(el, 'path');
  if (path === undefined || path === '') return err('XML_ERROR', 'missing storage pool source device path');
  const dev: SourceDevice = { path };
  const sep = attr(el, 'part_separator');
  if (sep !== undefined) {
    if (sep !== 'yes' && sep !== 'no') return err('XML_ERROR', `invalid part_separator '${sep}' on device '${path}' (expected yes or no)`);
    dev.partSeparator = sep;
  }
  for (const ext of elements(el).filter((c) => c.name === 'freeExtent')) {
    const start = parseOffset(attr(ext, 'start'), 'start', path);
    if (!start.ok) return start;
    const end = parseOffset(attr(ext, 'end'), 'end', path);
    if (!end.ok) return end;
    (dev.freeExtents ??= []).push({ start: start.value, end: end.value });
  }
  return ok(dev);
}

function parseOffset(v: string | undefined, what: string, device: string): Result<number> {
  const t = (v ?? '').trim();
  const n = /^[0-9]{1,16}$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n > MAX_BYTES) return err('XML_ERROR', `malformed freeExtent ${what} '${v ?? ''}' on device '${device}'`);
  return ok(n);
}

/**
 * libvirt's virFileSanitizePath: runs of '/' become one (a leading '//' alone is kept, as POSIX
 * allows), and a trailing '/' goes.
 */
export function sanitizePath(p: string): string {
  const lead = /^\/\/[^/]/.test(p) ? '/' : '';
  let s = lead + p.replace(/\/{2,}/g, '/');
  if (s.length > 1 && s.endsWith('/')) s = s.slice(0, -1);
  return s;
}

/** `<source>` for output: libvirt's order, only the parts the pool type uses. */
export function poolSourceElement(type: PoolType, src: PoolSource | undefined): XElement {
  const info = POOL_TYPES[type];
  const s = src ?? {};
  const kids: Array<XElement | undefined> = [];
  if (info.host) for (const h of s.hosts ?? []) kids.push(elem('host', [['name', h.name], ['port', h.port || undefined]]));
  if (info.device) {
    for (const d of s.devices ?? []) {
      const ext = (d.freeExtents ?? []).map((e) => elem('freeExtent', [['start', e.start], ['end', e.end]]));
      kids.push(elem('device', [['path', d.path], ['part_separator', d.partSeparator]], ext));
    }
  }
  if (info.dir && s.dir !== undefined) kids.push(elem('dir', [['path', s.dir]]));
  if (info.name) kids.push(textElem('name', s.name));
  if (info.initiator && s.initiator !== undefined) kids.push(elem('initiator', [], [elem('iqn', [['name', s.initiator]])]));
  if (info.formats) kids.push(elem('format', [['type', s.format ?? info.defaultFormat]]));
  if (s.auth !== undefined && AUTH_TYPES.has(type)) {
    // The secret's value (password) is runtime-only and never written.
    kids.push(elem('auth', [['type', s.auth.type], ['username', s.auth.username]], [elem('secret', [['uuid', s.auth.secret.uuid], ['usage', s.auth.secret.uuid === undefined ? s.auth.secret.usage : undefined]])]));
  }
  if (s.protocolVersion !== undefined) kids.push(elem('protocol', [['ver', s.protocolVersion]]));
  if (s.vendor !== undefined) kids.push(elem('vendor', [['name', s.vendor]]));
  if (s.product !== undefined) kids.push(elem('product', [['name', s.product]]));
  const el = elem('source', [], kids.filter((k): k is XElement => k !== undefined));
  el.keepOpen = true;
  return el;
}
