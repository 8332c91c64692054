// The safe XML layer: well-formedness, entity handling, limits, hostile input, libvirt-style output.
import t from 'tap';
import fc from 'fast-check';
import { DEFAULT_LIMITS, decodeEntities, elem, parseXml, serialize, type XElement } from '../../../runner/xml/dom.js';
import { parsePoolXml } from '../../../runner/xml/pool-xml.js';
import { parseVolXml } from '../../../runner/xml/vol-xml.js';
import { expectError } from './helpers.js';
import { cpuMs } from '../../helpers/cpu-time.js';

const xmlErr = (t: Parameters<typeof expectError>[0], r: Parameters<typeof expectError>[1], re: RegExp, what: string) => expectError(t, r, 'XML_ERROR', re, what);

t.test('reads elements, attributes, text', async (t) => {
  const r = parseXml(`<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<pool type="dir" xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'>
  <name>a &lt;b&gt; &amp; &apos;c&quot; &#65;&#x42;</name>
  <x a='&lt;1&gt;' b="two words"><![CDATA[<not> &amp; markup]]></x>
  <fs:mount_opts/>
</pool>`);
  t.ok(r.ok);
  if (!r.ok) return;
  const root = r.value;
  t.equal(root.name, 'pool');
  t.same(root.attrs, [['type', 'dir'], ['xmlns:fs', 'http://libvirt.org/schemas/storagepool/fs/1.0']]);
  const kids = root.children.filter((c): c is XElement => typeof c !== 'string');
  t.same(kids.map((k) => k.name), ['name', 'x', 'fs:mount_opts']);
  t.same(kids[0]!.children, [`a <b> & 'c" AB`], 'predefined entities and character references decoded');
  t.same(kids[1]!.attrs, [['a', '<1>'], ['b', 'two words']]);
  t.same(kids[1]!.children, ['<not> &amp; markup'], 'CDATA is literal');
});

t.test('malformed documents are XML_ERROR', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   \n', /empty/],
    ['<pool>', /malformed/],
    ['<pool><name>x</pool>', /malformed/],
    ['<pool></name></pool>', /malformed/],
    ["<pool type='dir' type='fs'/>", /repeated/],
    ['<pool/><pool/>', /more than one root/],
    ['text<pool/>', /malformed/],
    ['<pool>&foo;</pool>', /unknown entity/],
    ['<pool>a & b</pool>', /malformed|entity/],
    ['<pool>&#0;</pool>', /invalid character reference/],
    ['<pool>\u0001</pool>', /forbidden control character/],
    ["<pool a='<'/>", /malformed/],
    ['<pool b/>', /malformed/],
    ['<1pool/>', /malformed/],
    ['<pool><!-- unclosed </pool>', /malformed/]
  ];
  for (const [doc, re] of cases) xmlErr(t, parseXml(doc), re, JSON.stringify(doc));
});

t.test('no DTDs, no entity expansion', async (t) => {
  const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<pool type='dir'><name>&lol9;</name><target><path>/x</path></target></pool>`;
  t.ok(cpuMs(() => xmlErr(t, parsePoolXml(laughs), /DOCTYPE/, 'billion laughs')) < 1000, 'refused at once (under 1 s of CPU)');
  xmlErr(t, parsePoolXml(`<!DOCTYPE pool SYSTEM "file:///etc/passwd"><pool type='dir'><name>x</name></pool>`), /DOCTYPE/, 'external DTD');
  xmlErr(t, parsePoolXml(`<!doctype pool><pool type='dir'/>`), /not allowed/, 'lowercase doctype');
  xmlErr(t, parsePoolXml(`<pool type='dir'><!ENTITY x "y"></pool>`), /ENTITY/, 'entity declaration in content');
  xmlErr(t, parsePoolXml(`<pool type='dir'><name>&xxe;</name></pool>`), /unknown entity/, 'undeclared entity');
  const dec = decodeEntities('&amp;lt;');
  t.same(dec.ok && dec.value, '&lt;', 'decoding is one pass: &amp;lt; is the text &lt;');
});

t.test('size, depth and element limits', async (t) => {
  const padded = (bytes: number) => `<pool type='dir'><name>x</name><!-- ${'x'.repeat(bytes - 60)} --></pool>`;
  t.ok(parseXml(padded(DEFAULT_LIMITS.maxBytes)).ok, 'just under 1 MiB is read');
  xmlErr(t, parseXml(padded(DEFAULT_LIMITS.maxBytes + 100)), /larger than 1048576 bytes/, 'over 1 MiB');
  const wide = `<a>${'é'.repeat(DEFAULT_LIMITS.maxBytes / 2 + 10)}</a>`;
  t.ok(wide.length < DEFAULT_LIMITS.maxBytes, 'fewer characters than the limit...');
  xmlErr(t, parseXml(wide), /larger than/, '...but more UTF-8 bytes');

  const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
  t.ok(parseXml(nest(64)).ok, '64 levels are read');
  xmlErr(t, parseXml(nest(65)), /nesting deeper than 64/, '65 levels');
  const deepMs = cpuMs(() => {
    xmlErr(t, parseXml(nest(120000)), /more than 10000 elements/, '120000 levels (too many elements first)');
    xmlErr(t, parseXml(nest(120000), { ...DEFAULT_LIMITS, maxElements: 1e6 }), /nesting deeper than 64/, '120000 levels with no element limit (no stack overflow)');
  });
  t.ok(deepMs < 3000, `deep nesting refused quickly (${Math.round(deepMs)} ms of CPU)`);

  const many = (n: number) => `<a>${'<b/>'.repeat(n - 1)}</a>`;
  t.ok(parseXml(many(10000)).ok, '10000 elements are read');
  xmlErr(t, parseXml(many(10001)), /more than 10000 elements/, '10001 elements');
  t.ok(cpuMs(() => xmlErr(t, parseXml(many(250000)), /more than 10000 elements/, '250000 elements in 1 MiB')) < 1000, 'counted before parsing, refused quickly (under 1 s of CPU)');
});

t.test('never throws or hangs on junk', async (t) => {
  const seed = `<pool type='netfs' xmlns:fs='http://libvirt.org/schemas/storagepool/fs/1.0'><name>n</name><uuid>7641d5a8-af11-f730-a34e-0a7dfcede71f</uuid><source><host name='h' port='2049'/><dir path='/e'/><format type='nfs'/></source><target><path>/mnt</path><permissions><mode>0755</mode></permissions></target><fs:mount_opts><fs:option name='sync'/></fs:mount_opts></pool>`;
  const mutate = fc.tuple(fc.nat(seed.length), fc.nat(20), fc.string({ maxLength: 20 })).map(([at, del, ins]) => seed.slice(0, at) + ins + seed.slice(at + del));
  const junk = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: fc.constantFrom('<', '>', '/', '&', ';', '"', "'", '=', ' ', 'a', 'pool', '!', '?', '[', ']', '-', '#', 'x', '0') }), mutate);
  let refused = 0;
  fc.assert(
    fc.property(junk, (doc) => {
      let p: ReturnType<typeof parsePoolXml> | undefined;
      let v: ReturnType<typeof parseVolXml> | undefined;
      const ms = cpuMs(() => {
        p = parsePoolXml(doc);
        v = parseVolXml(doc);
      });
      if (!p || !v) return false;
      if (!p.ok) {
        refused++;
        if (p.error.code !== 'XML_ERROR') return false;
      }
      if (!v.ok && v.error.code !== 'XML_ERROR') return false;
      return ms < 500; // CPU time: a loaded machine does not make it slower
    }),
    { numRuns: 3000, seed: 42 }
  );
  t.comment('fast-check seeds 42 and 7 (fixed)');
  t.ok(refused > 1000, `junk is refused with XML_ERROR (${refused} of 3000), never an exception`);
});

t.test('writes libvirt style and reads back what it wrote', async (t) => {
  const el = elem('pool', [['type', 'dir']], [elem('name', [], ["it's <a> & \"b\""]), elem('empty'), elem('x', [['v', "a'b\nc"]])]);
  const src = elem('source');
  src.keepOpen = true;
  el.children.push(src);
  t.equal(
    serialize(el),
    `<pool type='dir'>\n  <name>it&apos;s &lt;a&gt; &amp; &quot;b&quot;</name>\n  <empty/>\n  <x v='a&apos;b&#10;c'/>\n  <source>\n  </source>\n</pool>\n`
  );

  // Any tree of elements with attributes and text leaves survives a write and a read.
  const name = fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/);
  const text = fc.string({ maxLength: 20 }).filter((s) => s.trim() !== '' || !s.includes('\n'));
  const attrs = fc.uniqueArray(fc.tuple(name, fc.string({ maxLength: 10 })), { selector: ([k]) => k, maxLength: 3 });
  const { tree } = fc.letrec<{ tree: XElement }>((tie) => ({
    tree: fc.record({
      name,
      attrs,
      children: fc.oneof({ depthSize: 'small' }, fc.constant([]), text.filter((s) => s !== '').map((s) => [s]), fc.array(tie('tree'), { maxLength: 3 }))
    }) as fc.Arbitrary<XElement>
  }));
  fc.assert(
    fc.property(tree, (x) => {
      const back = parseXml(serialize(x));
      return back.ok && JSON.stringify(withoutLayout(back.value)) === JSON.stringify(x);
    }),
    { numRuns: 500, seed: 7 }
  );
});

/** Drop the indentation the writer adds (whitespace-only text with a line break). */
function withoutLayout(el: XElement): XElement {
  return {
    name: el.name,
    attrs: el.attrs,
    children: el.children.filter((c) => typeof c !== 'string' || c.trim() !== '' || !c.includes('\n')).map((c) => (typeof c === 'string' ? c : withoutLayout(c)))
  };
}
