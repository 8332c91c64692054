// Pool XML: libvirt's defaults, errors, preserved XML, live values.
import t from 'tap';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { formatPoolXml, normalizePoolDefinition, parsePoolXml } from '../../../runner/xml/pool-xml.js';
import { NAME_PATTERN } from '../../../runner/xml/names.js';
import type { PoolDefinition } from '../../../runner/contracts/generated.js';
import { expectError, repoRoot, validate, VALIDATOR } from './helpers.js';

const noValidator = VALIDATOR ? false : 'virt-xml-validate is not installed';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const parse = (xml: string): PoolDefinition => {
  const r = parsePoolXml(xml);
  if (!r.ok) throw new Error(`unexpected error: ${r.error.message}`);
  return r.value;
};
const dir = (inner: string, attrs = '') => `<pool type='dir'${attrs}><name>p</name>${inner}<target><path>/p</path></target></pool>`;

t.test('a minimal dir pool, written like libvirt', async (t) => {
  const def = parse(`<pool type="dir"><name>images</name><target><path>/var/lib/images/</path></target></pool>`);
  t.match(def.uuid, UUID, 'uuid generated');
  t.not(parse(`<pool type="dir"><name>images</name><target><path>/x</path></target></pool>`).uuid, def.uuid, 'a new one each time');
  t.same(def, { name: 'images', uuid: def.uuid, type: 'dir', target: { path: '/var/lib/images' } });
  t.equal(
    formatPoolXml(def),
    `<pool type='dir'>
  <name>images</name>
  <uuid>${def.uuid}</uuid>
  <capacity unit='bytes'>0</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>0</available>
  <source>
  </source>
  <target>
    <path>/var/lib/images</path>
  </target>
</pool>
`
  );
});

t.test('libvirt defaults are applied on reading', async (t) => {
  const lv = parse(`<pool type='logical'><source><name>vg0</name><device path='/dev/sdb'/></source><target><path>/ignored</path></target></pool>`);
  t.equal(lv.name, 'vg0', 'logical: pool name from the source name');
  t.same(lv.source, { devices: [{ path: '/dev/sdb' }], name: 'vg0', format: 'lvm2' }, 'logical: lvm2 format');
  t.equal(lv.target?.path, '/dev/vg0', 'logical: target is /dev/VG whatever the input says');
  const lv2 = parse(`<pool type='logical'><name>HostVG</name><source><device path='/dev/sdb1'/></source></pool>`);
  t.equal(lv2.source?.name, 'HostVG', 'logical: source name from the pool name');
  const zfs = parse(`<pool type='zfs'><name>z</name><source><name>tank</name></source></pool>`);
  t.equal(zfs.target?.path, '/dev/zvol/tank', 'zfs: target /dev/zvol/POOL');
  t.equal(parse(`<pool type='fs'><name>f</name><source><device path='/dev/sda6'/></source><target><path>/mnt</path></target></pool>`).source?.format, 'auto', 'fs: auto');
  t.equal(parse(`<pool type='netfs'><name>n</name><source><host name='h'/><dir path='/e/'/></source><target><path>/mnt</path></target></pool>`).source?.format, 'auto', 'netfs: auto');
  t.equal(parse(`<pool type='disk'><name>d</name><source><device path='/dev/sdb'/></source><target><path>/dev</path></target></pool>`).source?.format, 'unknown', 'disk: unknown');
  t.equal(parse(`<pool type='netfs'><name>n</name><source><host name='h'/><dir path='//srv///nfs/'/></source><target><path>/mnt</path></target></pool>`).source?.dir, '//srv/nfs', 'source dir sanitized like libvirt');
  t.equal(parse(dir('').replace('/p<', '///a//b///<')).target?.path, '/a/b', 'target path sanitized');
  const uuid = parse(dir('<uuid> 70A7EB156C34EE9CBF5769E8E5FF3FB2 </uuid>')).uuid;
  t.equal(uuid, '70a7eb15-6c34-ee9c-bf57-69e8e5ff3fb2', 'uuid without dashes, upper case, blanks: normalized');
  const perms = parse(`<pool type='dir'><name>p</name><target><path>/p</path><permissions><group>0100</group><mode>755</mode><owner>4294967295</owner><label>l</label></permissions></target></pool>`);
  t.same(perms.target?.permissions, { mode: '0755', owner: -1, group: 100, label: 'l' }, 'permissions like libvirt reads them');
  const rbd = parse(`<pool type='rbd'><name>ceph</name><source><name>rbd</name><host name='mon' port='0'/></source><target><path>/x</path></target></pool>`);
  t.same(rbd.source?.hosts, [{ name: 'mon' }], 'port 0 means no port');
  t.same(rbd.preserved, { pool: ['<target>\n  <path>/x</path>\n</target>'] }, 'a network pool has no target: kept as it was');
});

t.test('errors are XML_ERROR with a clear message', async (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['not xml', 'oops <', /malformed/],
    ['wrong root', `<volume><name>v</name></volume>`, /unexpected root element <volume>, expecting <pool>/],
    ['no type', `<pool><name>p</name></pool>`, /missing pool type/],
    ['empty type', `<pool type=''><name>p</name></pool>`, /missing pool type/],
    ['unknown type', `<pool type='floppy'><name>p</name></pool>`, /unknown storage pool type 'floppy'/],
    ['libvirt-only type', `<pool type='sheepdog'><name>p</name><source><name>s</name><host name='h'/></source></pool>`, /unsupported pool type 'sheepdog'/],
    ['no name', `<pool type='dir'><target><path>/p</path></target></pool>`, /missing pool name/],
    ['name with /', dir('').replace('<name>p', '<name>a/b'), /contains '\/'/],
    ['name ..', dir('').replace('<name>p', '<name>..'), /'\.' or '\.\.'/],
    ['name starting with -', dir('').replace('<name>p', '<name>-rf'), /starts with '-'/],
    ['name with a line break', dir('').replace('<name>p', '<name>a&#10;b'), /line break/],
    ['name too long', dir('').replace('<name>p', `<name>${'n'.repeat(256)}`), /longer than 255/],
    ['bad uuid', dir('<uuid>not-a-uuid</uuid>'), /malformed uuid/],
    ['short uuid', dir('<uuid>70a7eb15-6c34-ee9c-bf57-69e8e5ff3fb</uuid>'), /malformed uuid/],
    ['no target path', `<pool type='dir'><name>p</name></pool>`, /missing storage pool target path/],
    ['netfs without host', `<pool type='netfs'><name>n</name><source><dir path='/e'/></source><target><path>/m</path></target></pool>`, /missing storage pool source host/],
    ['netfs without dir', `<pool type='netfs'><name>n</name><source><host name='h'/></source><target><path>/m</path></target></pool>`, /missing storage pool source path/],
    ['host without name', `<pool type='iscsi'><name>n</name><source><host/></source><target><path>/m</path></target></pool>`, /missing storage pool host name/],
    ['bad port', `<pool type='iscsi'><name>n</name><source><host name='h' port='70000'/></source><target><path>/m</path></target></pool>`, /invalid port number '70000'/],
    ['fs without device', `<pool type='fs'><name>f</name><source/><target><path>/m</path></target></pool>`, /missing storage pool source device/],
    ['device without path', `<pool type='disk'><name>d</name><source><device/></source><target><path>/dev</path></target></pool>`, /missing storage pool source device path/],
    ['bad part_separator', `<pool type='disk'><name>d</name><source><device path='/dev/sda' part_separator='maybe'/></source><target><path>/dev</path></target></pool>`, /part_separator/],
    ['unknown fs format', `<pool type='fs'><name>f</name><source><device path='/dev/sda'/><format type='ntfs'/></source><target><path>/m</path></target></pool>`, /unknown pool format type 'ntfs'/],
    ['iscsi-direct without initiator', `<pool type='iscsi-direct'><name>i</name><source><host name='h'/><device path='iqn.2013-06.com.example:p'/></source></pool>`, /missing initiator IQN/],
    ['rbd without source name', `<pool type='rbd'><name>r</name><source><host name='h'/></source></pool>`, /'name' is mandatory/],
    ['scsi without adapter', `<pool type='scsi'><name>s</name><source/><target><path>/dev</path></target></pool>`, /missing storage pool source adapter/],
    ['bad mode', `<pool type='dir'><name>p</name><target><path>/p</path><permissions><mode>0999</mode></permissions></target></pool>`, /malformed octal mode/],
    ['sticky mode', `<pool type='dir'><name>p</name><target><path>/p</path><permissions><mode>01777</mode></permissions></target></pool>`, /malformed octal mode/],
    ['bad owner', `<pool type='dir'><name>p</name><target><path>/p</path><permissions><owner>root</owner></permissions></target></pool>`, /malformed owner/],
    ['protocol on cifs', `<pool type='netfs'><name>n</name><source><host name='h'/><dir path='s'/><format type='cifs'/><protocol ver='3'/></source><target><path>/m</path></target></pool>`, /protocol ver/],
    ['bad protocol ver', `<pool type='netfs'><name>n</name><source><host name='h'/><dir path='/s'/><protocol ver='v4'/></source><target><path>/m</path></target></pool>`, /malformed/],
    ['cow on logical', `<pool type='logical'><name>v</name><features><cow state='yes'/></features></pool>`, /cow feature/],
    ['bad refresh', `<pool type='rbd'><name>r</name><source><name>r</name><host name='h'/></source><refresh><volume allocation='all'/></refresh></pool>`, /refresh allocation/],
    ['huge freeExtent', `<pool type='disk'><name>d</name><source><device path='/dev/sda'><freeExtent start='0' end='99999999999999999999'/></device></source><target><path>/dev</path></target></pool>`, /freeExtent end/]
  ];
  for (const [what, xml, re] of cases) expectError(t, parsePoolXml(xml), 'XML_ERROR', re, what);
});

t.test('unknown XML is kept and written back in its place', async (t) => {
  const xml = `<pool type='dir' foo='bar'>
  <name>p</name>
  <extra a='1'><deep>text &amp; more</deep></extra>
  <features><cow state='no'/></features>
  <source><vendor name='v'/><qq x='y'/></source>
  <target><zzz/><path>/p</path><permissions><mode>0711</mode><acl>x</acl></permissions></target>
  <capacity unit='G'>10</capacity>
</pool>`;
  const def = parse(xml);
  // Kept in the order they are written back: libvirt's elements in libvirt's order, unknown ones after.
  t.same(def.preserved, {
    'pool/@': ["foo='bar'"],
    pool: ["<features>\n  <cow state='no'/>\n</features>", "<extra a='1'>\n  <deep>text &amp; more</deep>\n</extra>"],
    'pool/source': ["<qq x='y'/>"],
    'pool/target': ['<zzz/>'],
    'pool/target/permissions': ['<acl>x</acl>']
  });
  const out = formatPoolXml(def);
  t.equal(
    out,
    `<pool type='dir' foo='bar'>
  <name>p</name>
  <uuid>${def.uuid}</uuid>
  <capacity unit='bytes'>0</capacity>
  <allocation unit='bytes'>0</allocation>
  <available unit='bytes'>0</available>
  <features>
    <cow state='no'/>
  </features>
  <source>
    <vendor name='v'/>
    <qq x='y'/>
  </source>
  <target>
    <path>/p</path>
    <permissions>
      <mode>0711</mode>
      <acl>x</acl>
    </permissions>
    <zzz/>
  </target>
  <extra a='1'>
    <deep>text &amp; more</deep>
  </extra>
</pool>
`,
    'known elements in libvirt order, unknown ones after them, live sizes replaced'
  );
  t.same(parse(out), def, 'round-trips');
});

t.test('namespaced extensions keep their namespace', async (t) => {
  const xml = `<pool type='fs' xmlns:m='http://libvirt.org/schemas/storagepool/fs/1.0'>
  <m:mount_opts><m:option name='noatime'/></m:mount_opts>
  <name>f</name><source><device path='/dev/sdb1'/><format type='xfs'/></source><target><path>/mnt/f</path></target>
</pool>`;
  const def = parse(xml);
  t.same(def.preserved, { pool: ["<m:mount_opts xmlns:m='http://libvirt.org/schemas/storagepool/fs/1.0'>\n  <m:option name='noatime'/>\n</m:mount_opts>"] }, 'fragment declares its prefix');
  const out = formatPoolXml(def);
  t.match(out, /^<pool type='fs' xmlns:m='http:\/\/libvirt.org\/schemas\/storagepool\/fs\/1.0'>\n/, 'declaration back on the root');
  t.match(out, / {2}<m:mount_opts>\n {4}<m:option name='noatime'\/>\n {2}<\/m:mount_opts>\n<\/pool>\n$/, 'extension last, as libvirt writes it');
  t.same(parse(out), def, 'round-trips');
  await t.test('validates', { skip: noValidator }, async (t) => {
    const v = await validate(out, 'storagepool');
    t.ok(v.ok, v.message);
  });
});

t.test('live sizes and source facts', async (t) => {
  const def = parse(`<pool type='disk'><name>sdb</name><source><device path='/dev/sdb'/><format type='gpt'/></source><target><path>/dev</path></target></pool>`);
  const out = formatPoolXml(def, {
    sizes: { capacity: 1073741824, allocation: 104857600, available: 968884224 },
    source: { devices: [{ path: '/dev/sdb', partSeparator: 'no', freeExtents: [{ start: 1048576, end: 105906176 }, { start: 210763776, end: 1073724928 }] }] }
  });
  t.match(out, /<capacity unit='bytes'>1073741824<\/capacity>\n {2}<allocation unit='bytes'>104857600<\/allocation>\n {2}<available unit='bytes'>968884224<\/available>/);
  t.match(out, /<device path='\/dev\/sdb' part_separator='no'>\n {6}<freeExtent start='1048576' end='105906176'\/>\n {6}<freeExtent start='210763776' end='1073724928'\/>\n {4}<\/device>\n {4}<format type='gpt'\/>/);
  const back = parse(out);
  t.same(back.source?.devices?.[0]?.freeExtents, [{ start: 1048576, end: 105906176 }, { start: 210763776, end: 1073724928 }], 'free extents read back');
  await t.test('validates', { skip: noValidator }, async (t) => {
    const v = await validate(out, 'storagepool');
    t.ok(v.ok, v.message);
  });
});

t.test('a damaged preserved map cannot break the document', async (t) => {
  const def = parse(dir(''));
  def.preserved = {
    pool: ['</pool><evil/><pool>', '<ok/>', '<a/><b/>', '<!DOCTYPE x>', 'plain text', '<x>&foo;</x>'],
    'pool/@': ["a='1'", "b='2' c='3'", "xmlns:q='urn:x'", "'", "d='<'"],
    'pool/source': [42 as unknown as string]
  };
  const out = formatPoolXml(def);
  t.match(out, /^<pool type='dir' a='1'>/, 'only the well-formed attribute');
  t.match(out, /\n {2}<ok\/>\n<\/pool>\n$/, 'only the well-formed fragment');
  t.notMatch(out, /evil|DOCTYPE|plain text|foo/);
  t.ok(parsePoolXml(out).ok, 'still a valid pool document');
});

t.test('normalizePoolDefinition: pool.define from fields', async (t) => {
  const r = normalizePoolDefinition({ name: 'vg1', type: 'logical', source: { devices: [{ path: '/dev/sdb' }] } }, { code: 'INVALID_ARGUMENT' });
  t.ok(r.ok);
  if (r.ok) {
    t.match(r.value.uuid, UUID);
    t.same(r.value, { name: 'vg1', uuid: r.value.uuid, type: 'logical', source: { devices: [{ path: '/dev/sdb' }], name: 'vg1', format: 'lvm2' }, target: { path: '/dev/vg1' } });
    const back = parse(formatPoolXml(r.value));
    t.same(back, r.value, 'its XML reads back to the same definition');
  }
  expectError(t, normalizePoolDefinition({ name: 'a/b', type: 'dir', target: { path: '/x' } }, { code: 'INVALID_ARGUMENT' }), 'INVALID_ARGUMENT', /contains '\/'/, 'bad name from fields');
  expectError(t, normalizePoolDefinition({ name: 'd', type: 'dir' }, { code: 'INVALID_ARGUMENT' }), 'INVALID_ARGUMENT', /target path/, 'dir without target');
  expectError(t, normalizePoolDefinition({ name: 'd', type: 'dir', uuid: 'zz', target: { path: '/x' } }, { code: 'INVALID_ARGUMENT' }), 'INVALID_ARGUMENT', /malformed uuid/, 'bad uuid from fields');
  const rbd = normalizePoolDefinition({ name: 'c', type: 'rbd', source: { name: 'rbd', hosts: [{ name: 'mon', port: 6789 }] }, target: { path: '/x' } });
  t.ok(rbd.ok && rbd.value.target === undefined, 'a network pool has no target');
});

t.test('the name rule is the contract\'s', async (t) => {
  const defs = JSON.parse(readFileSync(path.join(repoRoot, 'contracts', 'defs.json'), 'utf8'));
  t.equal(NAME_PATTERN, defs.definitions.Name.pattern);
  t.equal(defs.definitions.Name.maxLength, 255);
  t.ok(parsePoolXml(dir('').replace('<name>p', `<name>${'n'.repeat(255)}`)).ok, '255 characters are fine');
  t.ok(parsePoolXml(dir('').replace('<name>p', '<name>a b.c_d-é')).ok, 'spaces, dots, non-ASCII are fine');
});
