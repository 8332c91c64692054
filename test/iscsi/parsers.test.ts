// The new probes' version parsing, CHAP <auth> in pool XML, and the pure helpers of the
// libiscsi, open-iscsi and zfs series that the goldens do not reach (URL and argv building,
// error classes). Version strings are the tools' real banners: iscsiadm 2.1.8 and
// `dpkg-query -W -f '${Version}' libiscsi-bin` from this host; "2.0-874" as iscsiadm 2.0.874
// prints it (hpe-storage/csi-driver#269 shows it in the `-m session -P3` header).
import t from 'tap';
import { parseIscsiadmVersion } from '../../runner/probe/tools/open-iscsi.js';
import { parseDpkgVersion, libiscsiProbe } from '../../runner/probe/tools/libiscsi.js';
import { parseZfsVersion } from '../../runner/probe/tools/zfs.js';
import { normalizeVersion } from '../../runner/probe/version.js';
import { formatPoolXml, parsePoolXml } from '../../runner/xml/pool-xml.js';
import { lunOfName, portalOf, portalUrl } from '../../scriptlets/libiscsi-1.19/portal.js';
import { wipeArgv } from '../../scriptlets/libiscsi-1.19/wipe-argv.js';
import { classifyIscsiError } from '../../scriptlets/libiscsi-1.19/iscsi-ls.js';
import { parseDiscovery } from '../../scriptlets/open-iscsi-2.0.874/iscsiadm.js';
import { redactArgv } from '../../runner/service/secrets.js';
import type { PoolDefinition } from '../../runner/contracts/generated.js';

t.test('version banners', async (t) => {
  t.equal(parseIscsiadmVersion('iscsiadm version 2.1.8\n'), '2.1.8');
  t.equal(parseIscsiadmVersion('iscsiadm version 2.0-874\n'), '2.0.874');
  t.equal(parseIscsiadmVersion('iscsiadm version 6.2.0.874-22\n'), '2.0.874', "Red Hat's numbering of the same sources");
  t.equal(normalizeVersion(parseIscsiadmVersion('iscsiadm version 2.0-874') ?? ''), '2.0.874');
  t.equal(parseIscsiadmVersion('garbage'), null);
  t.equal(parseDpkgVersion('1.19.0-3'), '1.19.0');
  t.equal(parseDpkgVersion('1:7.2+dfsg-7'), '7.2');
  t.equal(parseDpkgVersion(''), null, 'package not installed: no version');
  t.equal(libiscsiProbe.versionOf, 'iscsi-ls', 'the cache is keyed on the tool itself');
  t.equal(parseZfsVersion('zfs-2.1.5-1ubuntu6~22.04.1\nzfs-kmod-2.1.5-1ubuntu6~22.04.1\n'), '2.1.5');
  t.equal(parseZfsVersion('zfs-kmod-2.3.0-1\n'), null, 'only the userland line counts');
});

t.test('CHAP auth in pool XML', async (t) => {
  const xml = `<pool type='iscsi-direct'><name>d</name><source><host name='h' port='3261'/><device path='iqn.2026-12.x:t'/><initiator><iqn name='iqn.2026-12.x:i'/></initiator><auth type='chap' username='u'><secret usage='my-chap'/></auth></source></pool>`;
  const r = parsePoolXml(xml);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.value.source?.auth, { type: 'chap', username: 'u', secret: { usage: 'my-chap' } });
  const out = formatPoolXml(r.value);
  t.match(out, /<auth type='chap' username='u'>\n\s+<secret usage='my-chap'\/>\n\s+<\/auth>/);
  const withPassword = formatPoolXml({ ...r.value, source: { ...r.value.source, auth: { type: 'chap', username: 'u', secret: { usage: 'my-chap' }, password: 'hunter2hunter' } } });
  t.notMatch(withPassword, 'hunter2hunter', 'a password is never written');
  for (const [bad, why] of [
    [`<auth type='ceph' username='u'><secret usage='x'/></auth>`, /unsupported auth type 'ceph'/],
    [`<auth type='chap'><secret usage='x'/></auth>`, /missing auth username/],
    [`<auth type='chap' username='u'/>`, /missing auth secret/],
    [`<auth type='chap' username='u'><secret uuid='nope'/></auth>`, /malformed uuid/]
  ] as const) {
    const e = parsePoolXml(xml.replace(/<auth.*<\/auth>/, bad));
    t.notOk(e.ok, bad);
    if (!e.ok) t.match(e.error.message, why);
  }
});

const pool = (auth?: { username: string; password?: string }): PoolDefinition => ({
  name: 'p', uuid: '034d66fc-f507-437a-b552-c479ffd63819', type: 'iscsi-direct',
  source: { hosts: [{ name: 'fe80::1' }], devices: [{ path: 'iqn.2026-12.x:t' }], initiator: 'iqn.2026-12.x:i', ...(auth ? { auth: { type: 'chap', username: auth.username, secret: { usage: 's' }, ...(auth.password !== undefined ? { password: auth.password } : {}) } } : {}) }
});

t.test('libiscsi URLs, names and the wipe argv', async (t) => {
  const p = portalOf(pool({ username: 'u', password: 'pa,ss' }));
  t.ok(p.ok);
  if (!p.ok) return;
  t.equal(portalUrl(p.value), 'iscsi://u%pa,ss@[fe80::1]:3260/', 'IPv6 in brackets, the default port');
  t.same(wipeArgv(p.value, 3, 4096), [
    'convert', '-p', '-n', '-S', '0', '--object', 'secret,id=sa-chap,data=pa,,ss', '--image-opts', 'driver=null-co,size=4096,read-zeroes=on', '--target-image-opts',
    'driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=[fe80::1]:3260,file.target=iqn.2026-12.x:t,file.lun=3,file.user=u,file.password-secret=sa-chap,file.initiator-name=iqn.2026-12.x:i'
  ], "QEMU's ',,' escape");
  t.notOk(portalOf(pool({ username: 'u', password: 'a@b' })).ok, "'@' cannot travel in libiscsi's URL");
  t.notOk(portalOf(pool({ username: 'u%x', password: 'ab' })).ok);
  t.notOk(portalOf(pool({ username: 'u' })).ok, 'auth without the secret value');
  t.equal(lunOfName('unit:0:0:12'), 12);
  for (const n of ['unit:0:0:', 'unit:0:0:01', 'unit:0:0:99999', 'lun1', 'unit:0:0:1x']) t.equal(lunOfName(n), null, n);
  t.equal(classifyIscsiError('Failed to log in to target. Status: Authentication failure(513)').code, 'PERMISSION_DENIED');
  t.equal(classifyIscsiError('Failed to log in to target. Status: Target not found(515)').code, 'INVALID_ARGUMENT');
  t.equal(classifyIscsiError('iscsi_service: socket error Connection refused(111).').code, 'TOOL_FAILED');
});

t.test('secrets never shown in argv', async (t) => {
  const def = pool({ username: 'u', password: 's3cret' });
  const shown = redactArgv({ result: { ok: false, error: { argv: ['iscsi-ls', 'iscsi://u%s3cret@h/'] } }, plan: [{ argv: ['qemu-img', 'secret,data=s3cret'] }] }, def);
  t.notOk(JSON.stringify(shown).includes('s3cret'));
  t.match(JSON.stringify(shown), /u%\*\*\*@h/);
});

t.test('iscsiadm discovery lines', async (t) => {
  // The form iscsiadm prints (ADDR:PORT,TPGT IQN), one line per portal of a target.
  t.same(parseDiscovery('127.0.0.1:3260,1 iqn.2026-12.x:a\n[::1]:3260,1 iqn.2026-12.x:a\n127.0.0.1:3260,1 iqn.2026-12.x:b\n'), ['iqn.2026-12.x:a', 'iqn.2026-12.x:b']);
  t.same(parseDiscovery(''), []);
});
