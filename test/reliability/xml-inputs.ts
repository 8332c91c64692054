// The XML fuzzer's inputs, shared by the fuzz suite (test/reliability/fuzz-xml.test.ts) and the
// writer's fixed-point property (test/runner/xml/fixed-point.test.ts): libvirt's own test corpus
// (../shared/peer/libvirt/tests), random mutations of it, generated documents with hostile sizes
// and units, and the classic attacks. Generators only: every run draws from them with a seed.
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SHARED } from '../helpers/paths.js';

export const MIB = 1024 * 1024;
export interface XmlInput {
  from: string;
  xml: string;
}

export const CORPUS = join(SHARED, 'peer', 'libvirt', 'tests');
export const readCorpus = (dir: string): XmlInput[] =>
  readdirSync(join(CORPUS, dir))
    .filter((f) => f.endsWith('.xml'))
    .sort()
    .map((f) => ({ from: `${dir}/${f}`, xml: readFileSync(join(CORPUS, dir, f), 'utf8') }));
export const POOLS = readCorpus('storagepoolxml2xmlin');
export const VOLS = readCorpus('storagevolxml2xmlin');

// ---------------------------------------------------------------------------------------------
// Inputs

export const TOKENS = [
  '<', '>', '&', '&amp;', '&#0;', '&#x110000;', '&#xD800;', '&lt;', '&unknown;', ']]>', '<![CDATA[<x>&]]>', '<!-- c -->', '<?pi x?>', '<?xml version="1.0"?>',
  '<!DOCTYPE pool [<!ENTITY x SYSTEM "file:///etc/passwd">]>', '&x;', '<!ENTITY y "z">', "'", '"', '\u0000', '\u0001', '\uFFFE', '\ud800', '\ufeff', '\u202e', '👨‍👩‍👧', 'e\u0301',
  " xmlns:a='urn:a'", ' a:b="c"', " unit='EiB'", " unit='bogus'", " unit=''", " type='qcow2'", " type='bogus'", '-1', '1e400', '0x10', '١٢٣', '18446744073709551616', '9007199254740992',
  '99999999999999999999999999999999', '1.5', ' ', '\t', '\r\n', '\r', '/', '..', '<name>../x</name>', '<name>-rf</name>', '<name>a/b</name>', '<name></name>', '</name>', '<a>', '</a>',
  '<capacity>1</capacity>', '<capacity unit="Y">1</capacity>', '<allocation>-5</allocation>', '<uuid>not-a-uuid</uuid>', '<uuid>00000000-0000-0000-0000-000000000000</uuid>',
  '<mode>0999</mode>', '<mode>7777777</mode>', '<owner>-2</owner>', '<owner>4294967296</owner>', '<format type="../../x"/>', '<path>relative</path>', '<path>/a/../../b</path>',
  '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/>', '<__proto__/>', '<constructor/>', ' __proto__="x"'
];
export const NUMBERS = ['0', '-1', '1', '1e400', '0x10', '١٢٣', '18446744073709551616', '9007199254740991', '9007199254740992', '99999999999999999999999999999', '1.5', '', ' 7 ', '+1', '00000000000000000000000000000012', '٣'];
export const UNITS = ['', 'b', 'bytes', 'KB', 'k', 'KiB', 'MB', 'M', 'MiB', 'G', 'GiB', 'TB', 'T', 'P', 'E', 'EiB', 'EB', 'Z', 'ZiB', 'Y', 'kib', ' G', 'G ', 'GiBs', '-', '%', '1'];

type Mutation = { kind: number; a: number; b: number; token: number; big: number };
// Deep nesting (7) and padding to about 1 MiB (9) are slow to parse: rarer than the small edits.
const kindArb = fc.oneof({ weight: 12, arbitrary: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 8) }, { weight: 1, arbitrary: fc.constantFrom(7, 9) });
const mutationArb: fc.Arbitrary<Mutation> = fc.record({ kind: kindArb, a: fc.nat(), b: fc.nat(200), token: fc.nat(), big: fc.nat(9) });

export function mutate(text: string, m: Mutation): string {
  const at = text.length ? m.a % (text.length + 1) : 0;
  const tok = TOKENS[m.token % TOKENS.length] as string;
  switch (m.kind) {
    case 0: // delete a range
      return text.slice(0, at) + text.slice(at + m.b);
    case 1: // insert a token
      return text.slice(0, at) + tok + text.slice(at);
    case 2: // replace a range with a token
      return text.slice(0, at) + tok + text.slice(at + (m.b % 20));
    case 3: {
      // replace one number with a hostile one
      const nums = [...text.matchAll(/\d+/g)];
      if (!nums.length) return text + tok;
      const n = nums[m.a % nums.length]!;
      return text.slice(0, n.index) + (NUMBERS[m.token % NUMBERS.length] as string) + text.slice(n.index + n[0].length);
    }
    case 4: {
      // change a unit (or add one to a size element)
      const unit = UNITS[m.token % UNITS.length] as string;
      if (/unit=['"][^'"]*['"]/.test(text)) return text.replace(/unit=['"][^'"]*['"]/, `unit='${unit}'`);
      return text.replace(/<(capacity|allocation)>/, `<$1 unit='${unit}'>`);
    }
    case 5: // duplicate a range
      return text.slice(0, at) + text.slice(at, at + m.b) + text.slice(at);
    case 6: // truncate
      return text.slice(0, at);
    case 7: {
      // nest the document's inner content deeply
      const depth = [2, 10, 63, 64, 65, 100, 1000, 9999, 10001, 20000][m.big] as number;
      const close = text.lastIndexOf('</');
      if (close < 0) return text;
      return `${text.slice(0, close)}${'<d>'.repeat(depth)}${'</d>'.repeat(depth)}${text.slice(close)}`;
    }
    case 8: {
      // rename an element
      const tags = [...text.matchAll(/<([A-Za-z_][\w:.-]*)/g)];
      if (!tags.length) return text;
      const tg = tags[m.a % tags.length]!;
      const names = ['pool', 'volume', 'name', 'target', 'source', 'capacity', 'path', 'x:y', 'Pool', 'a'];
      return text.slice(0, tg.index! + 1) + (names[m.token % names.length] as string) + text.slice(tg.index! + 1 + tg[1]!.length);
    }
    default: {
      // pad to near or just over 1 MiB
      const pad = [MIB - text.length - 20, MIB - text.length + 1, MIB + 10, Math.floor(MIB / 3) + 1][m.big % 4] as number;
      const close = text.lastIndexOf('</');
      if (close < 0 || pad <= 0) return text;
      const fill = m.token % 3 === 0 ? `<!--${'p'.repeat(Math.max(0, pad - 7))}-->` : m.token % 3 === 1 ? '<e/>'.repeat(Math.ceil(pad / 4)) : '€'.repeat(Math.ceil(pad / 3));
      return text.slice(0, close) + fill + text.slice(close);
    }
  }
}

export const corpusMutant = (corpus: XmlInput[]): fc.Arbitrary<XmlInput> =>
  fc.tuple(fc.constantFrom(...corpus), fc.array(mutationArb, { minLength: 0, maxLength: 3 })).map(([c, ms]) => ({ from: c.from, xml: ms.reduce(mutate, c.xml) }));

/** Generated documents: plausible structure, hostile values. */
const hostileValue = fc.oneof(fc.constantFrom(...NUMBERS, ...TOKENS), fc.string({ maxLength: 20 }), fc.string({ unit: 'binary', maxLength: 10 }));
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');
export const generatedVol = fc
  .record({
    name: fc.oneof(fc.constantFrom('v.img', 'v.qcow2', '-rf', '..', '.', 'a/b', ' ', '$(touch X)', 'x'.repeat(255), 'x'.repeat(256), '€'.repeat(100)), fc.string({ maxLength: 30 })),
    cap: fc.constantFrom(...NUMBERS, '1', '1024', '10'),
    capUnit: fc.constantFrom(...UNITS),
    alloc: fc.option(fc.constantFrom(...NUMBERS, '0', '512'), { nil: undefined }),
    fmt: fc.option(fc.constantFrom('raw', 'qcow2', 'vmdk', 'qed', 'vdi', 'vpc', 'vhdx', 'iso', 'bogus', '', '../x'), { nil: undefined }),
    backing: fc.option(fc.constantFrom('/dev/null', 'relative', 'nbd:localhost:1', 'json:{"file.filename":"/etc/passwd"}', '-x', ''), { nil: undefined }),
    extra: fc.option(hostileValue, { nil: undefined })
  })
  .map((v) => ({
    from: 'generated volume',
    xml:
      `<volume><name>${esc(v.name)}</name><capacity unit='${esc(v.capUnit)}'>${esc(v.cap)}</capacity>` +
      (v.alloc !== undefined ? `<allocation>${esc(v.alloc)}</allocation>` : '') +
      `<target>${v.fmt !== undefined ? `<format type='${esc(v.fmt)}'/>` : ''}</target>` +
      (v.backing !== undefined ? `<backingStore><path>${esc(v.backing)}</path><format type='raw'/></backingStore>` : '') +
      (v.extra !== undefined ? `<extra>${esc(v.extra)}</extra>` : '') +
      '</volume>'
  }));
export const generatedPool = fc
  .record({
    type: fc.constantFrom('dir', 'fs', 'netfs', 'logical', 'disk', 'iscsi', 'zfs', 'rbd', 'scsi', 'mpath', 'gluster', 'bogus', '', 'DIR'),
    name: fc.oneof(fc.constantFrom('p', '-p', '..', 'a/b', ' ', '`id`', 'x'.repeat(255), 'x'.repeat(256)), fc.string({ maxLength: 20 })),
    uuid: fc.option(fc.oneof(fc.uuid(), fc.constantFrom('x', '', '00000000000000000000000000000000', 'g'.repeat(32))), { nil: undefined }),
    path: fc.constantFrom('/tmp/p', 'relative', '', '/a/../b', '/a//b/', '/', `/${'d'.repeat(5000)}`),
    mode: fc.option(fc.constantFrom('0755', '755', '0999', '-1', '99999999999', ''), { nil: undefined }),
    owner: fc.option(fc.constantFrom('0', '-1', '-2', '4294967295', '4294967296', '1e3', 'root'), { nil: undefined }),
    source: fc.constantFrom('', "<device path='/dev/null'/>", "<dir path='/export'/>", "<host name='h'/><dir path='/e'/>", '<name>vg</name>', "<format type='bogus'/>", "<adapter type='scsi_host' name='host0'/>")
  })
  .map((p) => ({
    from: 'generated pool',
    xml:
      `<pool type='${esc(p.type)}'><name>${esc(p.name)}</name>` +
      (p.uuid !== undefined ? `<uuid>${esc(p.uuid)}</uuid>` : '') +
      `<source>${p.source}</source><target><path>${esc(p.path)}</path>` +
      (p.mode !== undefined || p.owner !== undefined ? `<permissions>${p.mode !== undefined ? `<mode>${p.mode}</mode>` : ''}${p.owner !== undefined ? `<owner>${p.owner}</owner>` : ''}</permissions>` : '') +
      '</target></pool>'
  }));

const LAUGHS = `<?xml version="1.0"?><!DOCTYPE pool [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`).join('')}]><pool type='dir'><name>&lol9;</name><target><path>/tmp/p</path></target></pool>`;
export const ATTACKS: XmlInput[] = [
  { from: 'billion laughs', xml: LAUGHS },
  { from: 'external entity', xml: `<?xml version="1.0"?><!DOCTYPE pool [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><pool type='dir'><name>&xxe;</name><target><path>/tmp/p</path></target></pool>` },
  { from: 'parameter entity', xml: `<!DOCTYPE volume [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><volume><name>v</name><capacity>1</capacity></volume>` },
  { from: 'external DTD', xml: `<!DOCTYPE pool SYSTEM "http://127.0.0.1:1/x.dtd"><pool type='dir'><name>p</name><target><path>/tmp/p</path></target></pool>` },
  { from: 'doctype in a comment', xml: `<pool type='dir'><!-- <!DOCTYPE x> --><name>p</name><target><path>/tmp/p</path></target></pool>` },
  { from: 'quadratic blowup', xml: `<!DOCTYPE v [<!ENTITY a "${'x'.repeat(50000)}">]><volume><name>${'&a;'.repeat(1000)}</name><capacity>1</capacity></volume>` },
  { from: 'xinclude', xml: `<volume xmlns:xi="http://www.w3.org/2001/XInclude"><name>v</name><capacity>1</capacity><xi:include href="/etc/passwd" parse="text"/></volume>` },
  { from: 'deep 65', xml: `<volume><name>v</name><capacity>1</capacity>${'<d>'.repeat(64)}${'</d>'.repeat(64)}</volume>` },
  { from: 'deep 63', xml: `<volume><name>v</name><capacity>1</capacity>${'<d>'.repeat(62)}${'</d>'.repeat(62)}</volume>` },
  { from: 'deep 200000', xml: `<volume>${'<d>'.repeat(200000)}` },
  { from: 'elements 10001', xml: `<volume><name>v</name><capacity>1</capacity>${'<e/>'.repeat(10000)}</volume>` },
  { from: 'just over 1 MiB', xml: `<volume><name>v</name><capacity>1</capacity><!--${'p'.repeat(MIB)}--></volume>` },
  { from: 'just under 1 MiB', xml: `<volume><name>v</name><capacity>1</capacity><!--${'p'.repeat(MIB - 80)}--></volume>` },
  { from: '1 MiB of characters over 1 MiB of bytes', xml: `<volume><name>v</name><capacity>1</capacity><!--${'€'.repeat(400000)}--></volume>` },
  { from: '1 MiB of digits', xml: `<volume><name>v</name><capacity>${'9'.repeat(MIB - 100)}</capacity></volume>` },
  { from: 'leading zeros', xml: `<volume><name>v</name><capacity>${'0'.repeat(100000)}1</capacity></volume>` },
  { from: 'many attributes', xml: `<volume ${Array.from({ length: 40000 }, (_, i) => `a${i}='x'`).join(' ')}><name>v</name><capacity>1</capacity></volume>` },
  { from: 'many entity refs', xml: `<volume><name>v</name><capacity>1</capacity><x>${'&amp;&#x10FFFF;'.repeat(60000)}</x></volume>` },
  { from: 'utf-16 declaration', xml: `<?xml version="1.0" encoding="UTF-16"?><volume><name>v</name><capacity>1</capacity></volume>` },
  { from: 'two roots', xml: `<volume><name>v</name><capacity>1</capacity></volume><volume/>` },
  { from: 'bom', xml: `\ufeff<volume><name>v</name><capacity>1</capacity></volume>` },
  // Valid documents near the limits that grow when written in libvirt's layout (indentation,
  // the live size elements): a definition must never be stored in a form that cannot be read back.
  { from: 'pool under 1 MiB, over once written', xml: `<pool type='dir'><name>grows</name><target><path>/tmp/grows</path></target><x>${'t'.repeat(MIB - 9000 * 8 - 300)}</x>${'<y>a</y>'.repeat(9000)}</pool>` },
  { from: 'pool of 9998 elements', xml: `<pool type='dir'><name>many</name><target><path>/tmp/many</path></target>${'<y/>'.repeat(9994)}</pool>` },
  { from: 'volume under 1 MiB, over once written', xml: `<volume><name>grows</name><capacity>1</capacity><x>${'t'.repeat(MIB - 9000 * 8 - 300)}</x>${'<y>a</y>'.repeat(9000)}</volume>` }
];

export const poolInputs = fc.oneof({ weight: 6, arbitrary: corpusMutant(POOLS) }, { weight: 3, arbitrary: generatedPool }, { weight: 1, arbitrary: fc.constantFrom(...ATTACKS) });
export const volInputs = fc.oneof({ weight: 6, arbitrary: corpusMutant(VOLS) }, { weight: 3, arbitrary: generatedVol }, { weight: 1, arbitrary: fc.constantFrom(...ATTACKS) });
