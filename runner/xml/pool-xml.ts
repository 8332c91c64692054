// libvirt's storage pool XML (https://libvirt.org/formatstorage.html): read into a
// PoolDefinition, write back in libvirt's output form.
//
// Reading follows libvirt's parser (virStoragePoolDefParseXML), including its defaults, so what
// is read equals what libvirt would store: a missing uuid is generated; a logical, zfs or rbd
// pool's source name defaults to the pool name (and a logical or zfs pool's name to the source
// name); fs, netfs, logical and disk pools get their default source format; a logical pool's
// target is /dev/VG and a zfs pool's /dev/zvol/POOL whatever the input says; target and netfs
// source paths are cleaned like virFileSanitizePath. <capacity>, <allocation> and <available>
// are live values and are ignored on input. Everything else the agent does not model
// (<features>, <refresh>, <adapter>, <auth>, namespaced extensions such as <fs:mount_opts>, and
// any unknown element) is kept in `preserved` and written back in its place.
//
// Every problem in a document is XML_ERROR, including a bad name or uuid (the document's content
// is wrong; libvirt also reports these as VIR_ERR_XML_ERROR). normalizePoolDefinition applies
// the same defaults and checks to a definition built from fields (pool.define {name, type, ...}),
// with INVALID_ARGUMENT.
import { err, ok, type ErrorCode, type Result } from '../errors.js';
import type { PoolDefinition, PoolSizes, PoolSource, PoolTarget, PoolType } from '../contracts/generated.js';
import { attr, elem, elements, parseXml, serialize, textContent, textElem, type XElement } from './dom.js';
import { nameProblem } from './names.js';
import { parsePermissions, parseMode, permissionsElement, PERMISSIONS_ORDER } from './permissions.js';
import { parsePoolSource, poolSourceElement, sanitizePath, SOURCE_ORDER } from './pool-source.js';
import { isPoolType, LIBVIRT_ONLY_POOL_TYPES, POOL_TYPES } from './pool-types.js';
import { declaredNamespaces, PreservedBuilder, PreservedWriter } from './preserved.js';
import { newUuid, parseUuid } from './uuid.js';

export const POOL_ORDER = ['name', 'uuid', 'capacity', 'allocation', 'available', 'features', 'source', 'target', 'refresh'];
export const POOL_TARGET_ORDER = ['path', 'permissions'];
const LIVE = ['capacity', 'allocation', 'available'];

/** A definition before defaults: what a document or pool.define's fields give. */
export interface PoolDefinitionInput {
  name?: string;
  uuid?: string;
  type: string;
  source?: PoolSource;
  target?: PoolTarget;
  preserved?: PoolDefinition['preserved'];
}

export function parsePoolXml(xml: string): Result<PoolDefinition> {
  const doc = parseXml(xml);
  if (!doc.ok) return doc;
  const root = doc.value;
  if (root.name !== 'pool') return err('XML_ERROR', `unexpected root element <${root.name}>, expecting <pool>`);

  const type = attr(root, 'type');
  if (type === undefined || type === '') return err('XML_ERROR', "missing pool type: <pool type='...'> is required");
  const typeCheck = checkPoolType(type, 'XML_ERROR');
  if (!typeCheck.ok) return typeCheck;
  const info = POOL_TYPES[typeCheck.value];

  const keep = new PreservedBuilder(declaredNamespaces(root));
  keep.attributes('pool', root, ['type']);
  const input: PoolDefinitionInput = { type };
  const seen = new Set<string>();
  for (const child of elements(root)) {
    const first = !seen.has(child.name);
    seen.add(child.name);
    switch (child.name) {
      case 'name':
      case 'uuid': {
        const t = textContent(child);
        if (first && t !== '') input[child.name] = t;
        continue;
      }
      case 'capacity':
      case 'allocation':
      case 'available':
        continue; // live values, written from the pool's state
      case 'source': {
        if (!first) continue;
        const s = parsePoolSource(child, typeCheck.value, keep);
        if (!s.ok) return s;
        input.source = s.value;
        continue;
      }
      case 'target': {
        if (info.network) break; // libvirt ignores it; keep it as it was
        if (!first) continue;
        const t = parseTarget(child, keep);
        if (!t.ok) return t;
        input.target = t.value;
        continue;
      }
      case 'features': {
        const f = checkFeatures(child, typeCheck.value);
        if (!f.ok) return f;
        break;
      }
      case 'refresh': {
        const r = checkRefresh(child);
        if (!r.ok) return r;
        break;
      }
      default:
        break;
    }
    keep.element('pool', child);
  }
  input.preserved = keep.result({ pool: POOL_ORDER, 'pool/source': SOURCE_ORDER, 'pool/target': POOL_TARGET_ORDER, 'pool/target/permissions': PERMISSIONS_ORDER });
  return normalizePoolDefinition(input, { code: 'XML_ERROR', hasAdapter: keep.has('pool/source', 'adapter') });
}

function parseTarget(el: XElement, keep: PreservedBuilder): Result<PoolTarget> {
  const target: PoolTarget = {};
  const seen = new Set<string>();
  keep.attributes('pool/target', el, []);
  for (const child of elements(el)) {
    const first = !seen.has(child.name);
    seen.add(child.name);
    if (child.name === 'path') {
      const p = textContent(child);
      if (first && p !== '') target.path = p;
    } else if (child.name === 'permissions') {
      if (!first) continue;
      const p = parsePermissions(child, 'pool/target/permissions', keep);
      if (!p.ok) return p;
      target.permissions = p.value;
    } else {
      keep.element('pool/target', child);
    }
  }
  return ok(target);
}

function checkFeatures(el: XElement, type: PoolType): Result<true> {
  for (const f of elements(el)) {
    if (f.name !== 'cow') continue;
    const state = attr(f, 'state');
    if (state !== undefined && state !== 'yes' && state !== 'no') return err('XML_ERROR', `invalid cow state '${state}' (expected yes or no)`);
    if (state !== undefined && type !== 'fs' && type !== 'dir') return err('XML_ERROR', "cow feature may only be used for 'fs' and 'dir' pools");
  }
  return ok(true);
}

function checkRefresh(el: XElement): Result<true> {
  for (const v of elements(el)) {
    const a = v.name === 'volume' ? attr(v, 'allocation') : undefined;
    if (a !== undefined && a !== 'default' && a !== 'capacity') {
      return err('XML_ERROR', `unknown storage pool volume refresh allocation type '${a}' (expected default or capacity)`);
    }
  }
  return ok(true);
}

function checkPoolType(type: string, code: ErrorCode): Result<PoolType> {
  if (isPoolType(type)) return ok(type);
  if (LIBVIRT_ONLY_POOL_TYPES.has(type)) {
    return err(code, `unsupported pool type '${type}': the agent supports ${Object.keys(POOL_TYPES).join(', ')}`);
  }
  return err(code, `unknown storage pool type '${type.slice(0, 50)}' (expected one of ${Object.keys(POOL_TYPES).join(', ')})`);
}

/**
 * Apply libvirt's defaults and checks to a definition (from a document, or from pool.define's
 * fields with `code: 'INVALID_ARGUMENT'`). `hasAdapter` says whether the source has an
 * <adapter> (kept in `preserved`), which a scsi pool needs.
 */
export function normalizePoolDefinition(input: PoolDefinitionInput, opts: { code?: ErrorCode; hasAdapter?: boolean } = {}): Result<PoolDefinition> {
  const code = opts.code ?? 'XML_ERROR';
  const fail = (message: string) => err(code, message);
  const t = checkPoolType(input.type, code);
  if (!t.ok) return t;
  const type = t.value;
  const info = POOL_TYPES[type];
  const source: PoolSource = { ...(input.source ?? {}) };
  for (const k of Object.keys(source) as Array<keyof PoolSource>) if (source[k] === undefined) delete source[k];

  if (type === 'rbd' && source.name === undefined) return fail("element 'name' is mandatory in the source of an rbd pool");
  let name = input.name;
  if (name === undefined && info.name) name = source.name;
  if (name === undefined) return fail('missing pool name: <name> is required');
  const problem = nameProblem(name);
  if (problem) return fail(`pool name ${JSON.stringify(name.slice(0, 300))} ${problem}`);

  let uuid: string;
  if (input.uuid === undefined) {
    uuid = newUuid();
  } else {
    const u = parseUuid(input.uuid);
    if (!u.ok) return fail(u.error.message);
    uuid = u.value;
  }

  if (info.host && !source.hosts?.length) return fail(`missing storage pool source host name: a ${type} pool needs <source><host name='...'/>`);
  if (info.dir) {
    if (source.dir === undefined || source.dir === '') return fail(`missing storage pool source path: a ${type} pool needs <source><dir path='...'/>`);
    source.dir = sanitizePath(source.dir);
  }
  if (info.name && source.name === undefined) source.name = name;
  if (info.adapter && !opts.hasAdapter) return fail(`missing storage pool source adapter: a ${type} pool needs <source><adapter .../>`);
  if ((type === 'fs' || type === 'disk') && !source.devices?.length) {
    return fail(`missing storage pool source device: a ${type} pool needs <source><device path='...'/>`);
  }
  if (info.formats) {
    if (source.format === undefined) source.format = info.defaultFormat;
    else if (!info.formats.includes(source.format)) return fail(`unknown pool format type '${source.format}' for a ${type} pool (expected one of: ${info.formats.join(', ')})`);
  }
  if (type === 'iscsi-direct' && source.initiator === undefined) return fail("missing initiator IQN: an iscsi-direct pool needs <source><initiator><iqn name='...'/></initiator>");

  let target: PoolTarget | undefined;
  if (!info.network) {
    target = { ...(input.target ?? {}) };
    if (type === 'logical') target.path = `/dev/${source.name}`;
    else if (type === 'zfs') target.path = `/dev/zvol/${source.name}`;
    if (target.path === undefined || target.path === '') return fail(`missing storage pool target path: a ${type} pool needs <target><path>...</path></target>`);
    target.path = sanitizePath(target.path);
    if (target.permissions) {
      const perms = { ...target.permissions };
      if (perms.mode !== undefined) {
        const m = parseMode(perms.mode);
        if (!m.ok) return fail(m.error.message);
        perms.mode = m.value;
      }
      target.permissions = perms;
    } else {
      delete target.permissions;
    }
  }

  const def: PoolDefinition = { name, uuid, type };
  if (Object.keys(source).length) def.source = source;
  if (target) def.target = target;
  if (input.preserved && Object.keys(input.preserved).length) def.preserved = input.preserved;
  return ok(def);
}

/**
 * Write a pool as libvirt does (pool-dumpxml). `live` gives the running pool's sizes (otherwise
 * 0, as libvirt writes for an inactive pool) and source facts found at runtime (such as a disk's
 * free extents), which replace the defined source's fields of the same name.
 */
export function formatPoolXml(def: PoolDefinition, live?: { sizes?: PoolSizes; source?: PoolSource }): string {
  const w = new PreservedWriter(def.preserved);
  const info = POOL_TYPES[def.type];
  const sizes = live?.sizes ?? { capacity: 0, allocation: 0, available: 0 };
  const source = live?.source ? { ...(def.source ?? {}), ...live.source } : def.source;

  const kids: Array<XElement | undefined> = [
    textElem('name', def.name),
    textElem('uuid', def.uuid),
    ...LIVE.map((k) => textElem(k, sizes[k as keyof PoolSizes], [['unit', 'bytes']]))
  ];

  const src = poolSourceElement(def.type, source);
  src.attrs.push(...w.attributes('pool/source'));
  w.place(src, 'pool/source', SOURCE_ORDER);
  kids.push(src);

  if (!info.network) {
    const perms = permissionsElement(def.target?.permissions) ?? (w.hasFragments('pool/target/permissions') ? elem('permissions') : undefined);
    if (perms) {
      perms.attrs.push(...w.attributes('pool/target/permissions'));
      w.place(perms, 'pool/target/permissions', PERMISSIONS_ORDER);
    }
    const target = elem('target', w.attributes('pool/target'), [textElem('path', def.target?.path), perms].filter((x): x is XElement => x !== undefined));
    w.place(target, 'pool/target', POOL_TARGET_ORDER);
    kids.push(target);
  }

  const root = elem('pool', [['type', def.type], ...w.attributes('pool')], kids.filter((x): x is XElement => x !== undefined));
  w.place(root, 'pool', POOL_ORDER);
  root.attrs.push(...w.namespaceAttributes());
  return serialize(root);
}
