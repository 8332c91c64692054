// find-storage-pool-sources' <sources> document.
import t from 'tap';
import { formatSourcesXml } from '../../../runner/xml/sources-xml.js';
import { parseXml, serialize, type XElement } from '../../../runner/xml/dom.js';
import type { PoolSource, PoolType } from '../../../runner/contracts/generated.js';
import { validate, VALIDATOR } from './helpers.js';

const noValidator = VALIDATOR ? false : 'virt-xml-validate is not installed';

t.test('logical: devices, VG name, lvm2', async (t) => {
  t.equal(
    formatSourcesXml('logical', [
      { devices: [{ path: '/dev/sdb' }, { path: '/dev/sdc1' }], name: 'vg0', format: 'lvm2' },
      { devices: [{ path: '/dev/sdd' }], name: 'vg1' }
    ]),
    `<sources>
  <source>
    <device path='/dev/sdb'/>
    <device path='/dev/sdc1'/>
    <name>vg0</name>
    <format type='lvm2'/>
  </source>
  <source>
    <device path='/dev/sdd'/>
    <name>vg1</name>
    <format type='lvm2'/>
  </source>
</sources>
`
  );
});

t.test('netfs, iscsi, zfs, empty', async (t) => {
  t.equal(
    formatSourcesXml('netfs', [{ hosts: [{ name: 'nfs.example.com' }], dir: '/export/vms', format: 'nfs' }]),
    `<sources>\n  <source>\n    <host name='nfs.example.com'/>\n    <dir path='/export/vms'/>\n    <format type='nfs'/>\n  </source>\n</sources>\n`
  );
  t.equal(
    formatSourcesXml('iscsi', [{ hosts: [{ name: '192.0.2.1', port: 3260 }], devices: [{ path: 'iqn.2013-06.com.example:storage' }] }]),
    `<sources>\n  <source>\n    <host name='192.0.2.1' port='3260'/>\n    <device path='iqn.2013-06.com.example:storage'/>\n  </source>\n</sources>\n`
  );
  t.equal(formatSourcesXml('zfs', [{ name: 'tank' }]), `<sources>\n  <source>\n    <name>tank</name>\n  </source>\n</sources>\n`);
  t.equal(formatSourcesXml('logical', []), `<sources>\n</sources>\n`, 'nothing found');
  t.notMatch(formatSourcesXml('dir', [{ hosts: [{ name: 'h' }], devices: [{ path: '/dev/x' }] }]), /host|device/, 'only the parts the pool type uses');
});

t.test("each <source> has the shape of the pool schema's <source> for its type", { skip: noValidator }, async (t) => {
  const cases: Array<[PoolType, PoolSource, string]> = [
    ['logical', { devices: [{ path: '/dev/sdb' }], name: 'vg0', format: 'lvm2' }, '<target><path>/dev/vg0</path></target>'],
    ['netfs', { hosts: [{ name: 'nfs.example.com' }], dir: '/export', format: 'nfs' }, '<target><path>/mnt</path></target>'],
    ['iscsi', { hosts: [{ name: 'h', port: 3260 }], devices: [{ path: 'iqn.2013-06.com.example:s' }] }, '<target><path>/dev/disk/by-path</path></target>'],
    ['disk', { devices: [{ path: '/dev/sdb', freeExtents: [{ start: 0, end: 100 }] }], format: 'gpt' }, '<target><path>/dev</path></target>'],
    ['zfs', { name: 'tank', devices: [{ path: '/dev/sdc' }] }, ''],
    ['fs', { devices: [{ path: '/dev/sdb1' }], format: 'xfs' }, '<target><path>/mnt</path></target>']
  ];
  for (const [type, source, target] of cases) {
    const doc = parseXml(formatSourcesXml(type, [source]));
    t.ok(doc.ok);
    if (!doc.ok) continue;
    const src = doc.value.children.find((c): c is XElement => typeof c !== 'string')!;
    const pool = `<pool type='${type}'><name>p</name>${serialize(src).trim()}${target}</pool>`;
    const v = await validate(pool, 'storagepool');
    t.ok(v.ok, `${type}: ${v.message}`);
  }
});
