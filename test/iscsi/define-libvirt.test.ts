// libvirt's own iscsi, iscsi-direct and zfs pool documents (../shared/peer/libvirt) defined
// through the service (pool.define), read back (pool.dumpXml of the stored definition) and
// validated with virt-xml-validate; the CHAP reference survives, and undefine removes each.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detachedCall } from '../../runner/service/context.js';
import { dispatch } from '../../runner/service/dispatch.js';
import { SHARED, tempDir } from '../helpers/paths.js';
import { testService } from '../helpers/runtime.js';
import { HAVE_VALIDATOR, validateXml } from '../helpers/xml-validate.js';

const DIR = join(SHARED, 'peer/libvirt/tests/storagepoolxml2xmlin');

t.test('libvirt documents defined and written back valid', async (t) => {
  const files = readdirSync(DIR).filter((f) => /^pool-(iscsi|iscsi-direct|zfs)[-.]/.test(f)).sort();
  t.same(files, ['pool-iscsi-auth.xml', 'pool-iscsi-direct-auth.xml', 'pool-iscsi-direct.xml', 'pool-iscsi-vendor-product.xml', 'pool-iscsi.xml', 'pool-zfs-sourcedev.xml', 'pool-zfs.xml']);
  const svc = await testService(t);
  const work = tempDir(t);
  for (const f of files) {
    const text = readFileSync(join(DIR, f), 'utf8');
    const d = await dispatch(svc, detachedCall(), 'pool.define', { xml: text });
    t.ok(d.ok, `${f}: defined${d.ok ? '' : `: ${d.error.code} ${d.error.message}`}`);
    if (!d.ok) continue;
    const name = (d.value as { name: string }).name;
    const x = await dispatch(svc, detachedCall(), 'pool.dumpXml', { pool: name });
    t.ok(x.ok, `${f}: dumpXml`);
    if (!x.ok) continue;
    const xml = (x.value as { xml: string }).xml;
    const secret = /<secret (uuid|usage)='[^']+'\/>/.exec(text.replace(/"/g, "'"))?.[0];
    if (secret) t.ok(xml.includes(secret), `${f}: keeps ${secret}`);
    if (HAVE_VALIDATOR) t.equal(validateXml(work, f, xml, 'storagepool'), null, `${f}: valid`);
    const u = await dispatch(svc, detachedCall(), 'pool.undefine', { pool: name });
    t.ok(u.ok, `${f}: undefined`);
  }
});
