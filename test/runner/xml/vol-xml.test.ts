// Volume XML: sizes, capacity rules, formats, errors, preserved XML, writing.
import t from 'tap';
import { formatVolXml, parseVolXml, type VolumeSpec } from '../../../runner/xml/vol-xml.js';
import type { Volume } from '../../../runner/contracts/generated.js';
import { expectError, validate, VALIDATOR } from './helpers.js';

const noValidator = VALIDATOR ? false : 'virt-xml-validate is not installed';

const parse = (xml: string, opts = {}): VolumeSpec => {
  const r = parseVolXml(xml, opts);
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`);
  return r.value;
};
const vol = (inner: string) => `<volume><name>v.img</name>${inner}</volume>`;

t.test('sizes take libvirt units', async (t) => {
  t.same(parse(vol(`<capacity unit='G'>5</capacity>`)), { name: 'v.img', capacity: 5368709120 });
  t.same(parse(vol(`<capacity unit='GB'>10</capacity><allocation unit='MiB'>3</allocation>`)), { name: 'v.img', capacity: 10e9, allocation: 3 * 1024 * 1024 });
  t.same(parse(vol(`<capacity>1024</capacity><allocation>0</allocation>`)), { name: 'v.img', capacity: 1024, allocation: 0 }, 'no unit: bytes');
  t.equal(parse(vol(`<capacity unit="bytes">0</capacity>`)).capacity, 0, 'zero capacity is allowed, as in libvirt');
  expectError(t, parseVolXml(vol(`<capacity unit='E'>8</capacity>`)), 'XML_ERROR', /malformed capacity element: .*too large/, '8 EiB');
  expectError(t, parseVolXml(vol(`<capacity>9007199254740992</capacity>`)), 'XML_ERROR', /too large/, '2^53 bytes');
  expectError(t, parseVolXml(vol(`<capacity unit='GB'>1</capacity><allocation unit='Q'>1</allocation>`)), 'XML_ERROR', /malformed allocation element: unknown size unit 'Q'/, 'unknown unit');
  expectError(t, parseVolXml(vol(`<capacity>-1</capacity>`)), 'XML_ERROR', /malformed capacity/, 'negative');
  expectError(t, parseVolXml(vol(`<capacity unit='G'>1.5</capacity>`)), 'XML_ERROR', /whole number/, 'decimal');
  expectError(t, parseVolXml(vol(`<capacity>10G</capacity>`)), 'XML_ERROR', /malformed capacity/, 'unit inside the value');
});

t.test('capacity is required unless a backing store gives it', async (t) => {
  expectError(t, parseVolXml(vol('')), 'XML_ERROR', /missing capacity element/, 'no capacity');
  const backed = parse(vol(`<backingStore><path>/img/base.qcow2</path><format type='qcow2'/></backingStore><target><format type='qcow2'/></target>`));
  t.same(backed, { name: 'v.img', capacity: 0, format: 'qcow2', backingStore: { path: '/img/base.qcow2', format: 'qcow2' } }, 'with a backing store: 0, from the backing file');
  t.equal(parse(vol(''), { capacityOptional: true }).capacity, 0, 'capacityOptional (vol-create-from)');
  const noPath = parseVolXml(vol(`<backingStore><format type='raw'/></backingStore>`));
  expectError(t, noPath, 'XML_ERROR', /missing capacity/, 'a backing store without a path is no backing store');
});

t.test('errors are XML_ERROR', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['wrong root', `<pool type='dir'/>`, /unexpected root element <pool>, expecting <volume>/],
    ['no name', `<volume><capacity>1</capacity></volume>`, /missing volume name/],
    ['empty name', `<volume><name></name><capacity>1</capacity></volume>`, /missing volume name/],
    ['name with /', `<volume><name>../etc/passwd</name><capacity>1</capacity></volume>`, /contains '\/'/],
    ['name ..', `<volume><name>..</name><capacity>1</capacity></volume>`, /'\.' or '\.\.'/],
    ['name -x', `<volume><name>-x</name><capacity>1</capacity></volume>`, /starts with '-'/],
    ['unknown type', `<volume type='tape'><name>v</name><capacity>1</capacity></volume>`, /unknown volume type 'tape'/],
    ['unknown format', vol(`<capacity>1</capacity><target><format type='qcow3'/></target>`), /unknown volume format type 'qcow3'/],
    ['unknown backing format', vol(`<capacity>1</capacity><backingStore><path>/b</path><format type='zip'/></backingStore>`), /unknown volume format type 'zip'/],
    ['bad compat', vol(`<capacity>1</capacity><target><compat>one</compat></target>`), /compat/],
    ['unknown feature', vol(`<capacity>1</capacity><target><features><turbo/></features></target>`), /unsupported volume feature <turbo>/],
    ['bad clusterSize', vol(`<capacity>1</capacity><target><clusterSize unit='parsec'>1</clusterSize></target>`), /clusterSize/],
    ['bad mode', vol(`<capacity>1</capacity><target><permissions><mode>rwx</mode></permissions></target>`), /malformed octal mode/],
    ['bad backing owner', vol(`<capacity>1</capacity><backingStore><path>/b</path><permissions><owner>-2</owner></permissions></backingStore>`), /malformed owner/],
    ['DOCTYPE', `<!DOCTYPE volume [<!ENTITY x "y">]>` + vol(`<capacity>1</capacity>`), /DOCTYPE/]
  ];
  for (const [what, xml, re] of cases) expectError(t, parseVolXml(xml), 'XML_ERROR', re, what);
  expectError(t, parseVolXml(vol(`<capacity>1</capacity><target><format type='qcow2'/></target>`), { poolType: 'disk' }), 'XML_ERROR', /for a disk pool/, 'qcow2 in a disk pool');
  t.equal(parse(vol(`<capacity>1</capacity><target><format type='linux-swap'/></target>`), { poolType: 'disk' }).format, 'linux-swap', 'partition type in a disk pool');
});

t.test('what the agent does not model is kept and written back', async (t) => {
  const xml = `<volume type='file' color='blue'>
  <name>enc.qcow2</name>
  <key>ignored</key>
  <capacity unit='G'>1</capacity>
  <physical>12</physical>
  <target>
    <path>/ignored/path</path>
    <format type='qcow2'/>
    <timestamps><atime>1.5</atime></timestamps>
    <nocow/>
    <encryption format='luks'><secret type='passphrase' uuid='f52a81b2-424e-490c-823d-6bd4235bc572'/></encryption>
    <features><lazy_refcounts/></features>
    <mystery level='3'/>
  </target>
  <backingStore><path>/b.qcow2</path><format type='qcow2'/><permissions><label>l</label><mode>0600</mode></permissions></backingStore>
  <note>hello</note>
</volume>`;
  const spec = parse(xml);
  t.same(spec, {
    name: 'enc.qcow2',
    capacity: 1073741824,
    format: 'qcow2',
    backingStore: { path: '/b.qcow2', format: 'qcow2' },
    type: 'file',
    image: { nocow: true, features: ['lazy_refcounts'], compat: '1.1' },
    encryption: 'luks',
    preserved: {
      'volume/@': ["color='blue'"],
      'volume/target': [
        "<encryption format='luks'>\n  <secret type='passphrase' uuid='f52a81b2-424e-490c-823d-6bd4235bc572'/>\n</encryption>",
        '<compat>1.1</compat>',
        '<nocow/>',
        '<features>\n  <lazy_refcounts/>\n</features>',
        "<mystery level='3'/>"
      ],
      'volume/backingStore': ['<permissions>\n  <mode>0600</mode>\n  <label>l</label>\n</permissions>'],
      volume: ['<note>hello</note>']
    }
  }, 'key, target path, physical and timestamps are not read; <features> implies compat 1.1');
  const v: Volume = { name: spec.name, key: '/pool/enc.qcow2', path: '/pool/enc.qcow2', type: 'file', capacity: spec.capacity, allocation: 200704, format: 'qcow2', backingStore: spec.backingStore };
  const out = formatVolXml(v, { poolType: 'dir', preserved: spec.preserved });
  t.equal(
    out,
    `<volume type='file' color='blue'>
  <name>enc.qcow2</name>
  <key>/pool/enc.qcow2</key>
  <capacity unit='bytes'>1073741824</capacity>
  <allocation unit='bytes'>200704</allocation>
  <target>
    <path>/pool/enc.qcow2</path>
    <format type='qcow2'/>
    <encryption format='luks'>
      <secret type='passphrase' uuid='f52a81b2-424e-490c-823d-6bd4235bc572'/>
    </encryption>
    <compat>1.1</compat>
    <nocow/>
    <features>
      <lazy_refcounts/>
    </features>
    <mystery level='3'/>
  </target>
  <backingStore>
    <path>/b.qcow2</path>
    <format type='qcow2'/>
    <permissions>
      <mode>0600</mode>
      <label>l</label>
    </permissions>
  </backingStore>
  <note>hello</note>
</volume>
`
  );
  t.same(parse(out).preserved, spec.preserved, 'round-trips');
});

t.test('writing: libvirt form, pool type decides <format>', async (t) => {
  const lv: Volume = { name: 'lv0', key: 'r4xkCv-MQhr', path: '/dev/vg/lv0', type: 'block', capacity: 4194304, allocation: 4194304, format: 'lvm2', permissions: { mode: '0660', owner: 0, group: 6 } };
  const out = formatVolXml(lv, { poolType: 'logical' });
  t.equal(
    out,
    `<volume type='block'>
  <name>lv0</name>
  <key>r4xkCv-MQhr</key>
  <capacity unit='bytes'>4194304</capacity>
  <allocation unit='bytes'>4194304</allocation>
  <target>
    <path>/dev/vg/lv0</path>
    <permissions>
      <mode>0660</mode>
      <owner>0</owner>
      <group>6</group>
    </permissions>
  </target>
</volume>
`,
    'logical volumes have no <format>, like libvirt'
  );
  t.notMatch(formatVolXml(lv), /<format/, "a format libvirt's schema does not know is not written");
  const part: Volume = {
    name: 'sdb1', key: '/dev/sdb1', path: '/dev/sdb1', type: 'block', capacity: 104857600, allocation: 104857600, physical: 104857600, format: 'linux',
    extra: { sourceDevice: '/dev/sdb', extentStart: 1048576, extentEnd: 105906176, partitionFlags: 'boot' }
  };
  const pout = formatVolXml(part, { poolType: 'disk' });
  t.match(pout, /<key>\/dev\/sdb1<\/key>\n {2}<source>\n {4}<device path='\/dev\/sdb'>\n {6}<extent start='1048576' end='105906176'\/>\n {4}<\/device>\n {2}<\/source>\n {2}<capacity/);
  t.match(pout, /<physical unit='bytes'>104857600<\/physical>/);
  t.match(pout, /<format type='linux'\/>/);
  const back = parse(pout, { poolType: 'disk' });
  t.same(back.extra, { sourceDevice: '/dev/sdb', extentStart: '1048576', extentEnd: '105906176' }, 'source read back into extra');
  await t.test('validates', { skip: noValidator }, async (t) => {
    for (const doc of [out, pout]) {
      const v = await validate(doc, 'storagevol');
      t.ok(v.ok, v.message);
    }
  });
});

t.test('a complex <source> is kept as it is', async (t) => {
  const src = `<source><device path='/dev/sda2'><extent start='0' end='10'/><extent start='20' end='30'/></device><device path='/dev/sdb'/></source>`;
  const spec = parse(vol(`<capacity>1</capacity>${src}`));
  t.equal(spec.extra, undefined);
  t.equal(spec.preserved?.volume?.length, 1);
  const out = formatVolXml({ name: 'v.img', key: 'k', path: '/p', type: 'block', capacity: 1, allocation: 1, format: 'raw' }, { preserved: spec.preserved });
  t.match(out, /<source>\n {4}<device path='\/dev\/sda2'>\n {6}<extent start='0' end='10'\/>\n {6}<extent start='20' end='30'\/>\n {4}<\/device>\n {4}<device path='\/dev\/sdb'\/>\n {2}<\/source>\n {2}<capacity/, 'written back where libvirt writes <source>');
});
