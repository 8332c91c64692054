// XML that names an external resource (README "XML that names external resources"): XInclude
// elements and xml:base attributes are kept as inert, unknown XML (never resolved, never
// fetched, written back as they came, a fixed point of read/write); external entity references
// (which need a DTD) are refused with XML_ERROR, never expanded. The file the documents point at
// holds a marker: it must appear nowhere, in a definition, a dumpXml or an error message.
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePoolXml, formatPoolXml, parseVolXml, formatVolXml } from '../../../runner/xml/index.js';
import type { Pool } from '../../../runner/contracts/generated.js';
import { detachedCall } from '../../../runner/service/context.js';
import { dispatch } from '../../../runner/service/dispatch.js';
import { tempDir } from '../../helpers/paths.js';
import { testService } from '../../helpers/runtime.js';

const MARKER = 'sa-external-marker-7f3a91';
const XI = 'http://www.w3.org/2001/XInclude';

function secretFile(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t, 'sa-xref-');
  const f = join(dir, 'secret.txt');
  writeFileSync(f, `${MARKER}\n`);
  return f;
}

t.test('XInclude: kept inert, as it came, and never resolved', async (t) => {
  const secret = secretFile(t);
  const include = `<xi:include xmlns:xi='${XI}' href='${secret}' parse='text'><xi:fallback>none</xi:fallback></xi:include>`;
  const docs = [
    ['at the root', `<pool type='dir'><name>p</name>${include}<target><path>/srv/p</path></target></pool>`],
    ['in the source', `<pool type='dir'><name>p</name><source>${include}</source><target><path>/srv/p</path></target></pool>`],
    ['in the target', `<pool type='dir'><name>p</name><target><path>/srv/p</path>${include}</target></pool>`],
    ['in the target path', `<pool type='dir'><name>p</name><target><path>/srv/p<xi:include xmlns:xi='${XI}' href='${secret}' parse='text'/></path></target></pool>`],
    ['declared on the root', `<pool type='dir' xmlns:xi='${XI}'><name>p</name><target><path>/srv/p</path></target><xi:include href='${secret}'/></pool>`]
  ] as const;
  for (const [where, xml] of docs) {
    const d = parsePoolXml(xml);
    t.ok(d.ok, `${where}: accepted (libvirt accepts it too: it never processes XInclude)`);
    if (!d.ok) continue;
    t.notMatch(JSON.stringify(d.value), MARKER, `${where}: the included file is not read`);
    t.equal(d.value.target?.path, '/srv/p', `${where}: the target path is what the document says`);
    const out = formatPoolXml(d.value);
    t.notMatch(out, MARKER, `${where}: nor written`);
    if (where !== 'in the target path') {
      t.match(out, new RegExp(`<xi:include href='${secret}'`), `${where}: the element is written back, its href unchanged`);
      t.match(out, new RegExp(`xmlns:xi='${XI}'`), `${where}: with its namespace declared`);
    }
    const again = parsePoolXml(out);
    t.ok(again.ok && formatPoolXml(again.value) === out, `${where}: a fixed point of read/write`);
    t.same(again.ok && again.value.preserved, d.value.preserved, `${where}: the same preserved XML after a round trip`);
  }

  const v = parseVolXml(`<volume><name>v.img</name><capacity>1</capacity>${include}<target><format type='raw'/>${include}</target></volume>`, { poolType: 'dir' });
  t.ok(v.ok, 'a volume with XInclude elements: accepted');
  if (v.ok) {
    const vol = { name: 'v.img', key: '/p/v.img', path: '/p/v.img', type: 'file' as const, capacity: 1, allocation: 1, format: 'raw' };
    const out = formatVolXml(vol, { poolType: 'dir', preserved: v.value.preserved });
    t.notMatch(JSON.stringify(v.value) + out, MARKER, 'nothing of the included file in the volume or its XML');
    t.equal((out.match(/<xi:include /g) ?? []).length, 2, 'both elements written back');
  }
});

t.test('xml:base: kept as an unknown attribute, never applied to a path', async (t) => {
  const d = parsePoolXml(`<pool type='dir' xml:base='/etc/'><name>p</name><target xml:base='file:///etc/'><path>relative</path></target></pool>`);
  t.ok(d.ok, 'accepted');
  if (!d.ok) return;
  t.equal(d.value.target?.path, 'relative', 'the path is not resolved against xml:base');
  const out = formatPoolXml(d.value);
  t.match(out, /<pool type='dir' xml:base='\/etc\/'>/, 'written back on the root');
  t.match(out, /<target xml:base='file:\/\/\/etc\/'>/, 'and on the target');
  const again = parsePoolXml(out);
  t.ok(again.ok && formatPoolXml(again.value) === out, 'a fixed point of read/write');
});

t.test('external entity references: XML_ERROR, never expanded', async (t) => {
  const secret = secretFile(t);
  const docs = [
    ['a SYSTEM entity', `<!DOCTYPE pool [<!ENTITY x SYSTEM "file://${secret}">]><pool type='dir'><name>&x;</name><target><path>/srv/p</path></target></pool>`, /document type declarations are not allowed/],
    ['a PUBLIC entity', `<!DOCTYPE pool [<!ENTITY x PUBLIC "-//x//y" "file://${secret}">]><pool type='dir'><name>&x;</name><target><path>/srv/p</path></target></pool>`, /document type declarations are not allowed/],
    ['a parameter entity', `<!DOCTYPE pool [<!ENTITY % p SYSTEM "file://${secret}"> %p;]><pool type='dir'><name>p</name><target><path>/srv/p</path></target></pool>`, /document type declarations are not allowed/],
    ['an external DTD', `<!DOCTYPE pool SYSTEM "file://${secret}"><pool type='dir'><name>p</name><target><path>/srv/p</path></target></pool>`, /document type declarations are not allowed/],
    ['an undeclared entity', `<pool type='dir'><name>&x;</name><target><path>/srv/p</path></target></pool>`, /unknown entity '&x;'/],
    ['an undeclared entity in an attribute', `<pool type='dir'><name>p</name><target><path>/srv/p</path></target><x a='&x;'/></pool>`, /unknown entity '&x;'/]
  ] as const;
  for (const [what, xml, re] of docs) {
    const d = parsePoolXml(xml);
    t.equal(d.ok ? 'ok' : d.error.code, 'XML_ERROR', `${what}: XML_ERROR`);
    if (!d.ok) {
      t.match(d.error.message, re, `${what}: says why`);
      t.notMatch(d.error.message, MARKER, `${what}: the file is not read`);
    }
    const v = parseVolXml(xml.replace(/pool/g, 'volume'));
    t.equal(v.ok ? 'ok' : v.error.code, 'XML_ERROR', `${what} in a volume: XML_ERROR`);
  }
});

t.test('through the service: pool.define keeps XInclude inert, dumpXml gives it back', async (t) => {
  const secret = secretFile(t);
  const svc = await testService(t);
  const call = (m: string, p: object) => dispatch(svc, detachedCall(), m, p);
  const dir = tempDir(t, 'sa-xref-pool-');
  const xml = `<pool type='dir' xml:base='/etc/'><name>xref</name><xi:include xmlns:xi='${XI}' href='${secret}' parse='text'/><target><path>${dir}</path></target></pool>`;
  const def = await call('pool.define', { xml });
  t.ok(def.ok, `defined${def.ok ? '' : `: ${def.error.message}`}`);
  t.notMatch(JSON.stringify(def), MARKER, 'the answer has nothing of the file');
  const dump = await call('pool.dumpXml', { pool: 'xref', inactive: true });
  const out = dump.ok ? (dump.value as { xml: string }).xml : '';
  t.match(out, new RegExp(`<xi:include href='${secret}' parse='text'/>`), 'dumpXml writes the element back');
  t.notMatch(out, MARKER, 'and not the file');
  const again = parsePoolXml(out);
  t.ok(again.ok && formatPoolXml(again.value) === out, 'dumpXml is a fixed point of read/write');
  const p = await call('pool.get', { pool: 'xref' });
  t.equal(p.ok && (p.value as Pool).target?.path, dir, 'the target is the one written, not resolved against xml:base');
});
