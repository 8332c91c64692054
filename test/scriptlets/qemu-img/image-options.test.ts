// The -o list from a volume's image options, against the argv libvirt 9.0 ran for the same XML
// (its storagevolxml2argv data and a side-by-side libvirtd on this machine: qemu-img 7.2).
import t from 'tap';
import { imageOptions } from '../../../scriptlets/lib/image-options.js';

const ALL = { extendedL2: true };
const OLD = { extendedL2: false };
const q = (image: object, more: object = {}) => ({ format: 'qcow2', image, hasBacking: false, ...more });

t.test('libvirt order and spelling', async (t) => {
  t.same(imageOptions(ALL, q({ compat: '1.1', features: ['lazy_refcounts'] }, { hasBacking: true })), { ok: true, value: ['compat=1.1', 'lazy_refcounts'] }, 'vol-qcow2-lazy');
  t.same(imageOptions(ALL, q({ features: ['extended_l2'], clusterSize: 131072 })), { ok: true, value: ['compat=1.1', 'cluster_size=131072', 'extended_l2=on'] }, 'vol-qcow2-clusterSize: features imply compat 1.1');
  t.same(imageOptions(ALL, q({ nocow: true }, { hasBacking: true })), { ok: true, value: ['nocow=on'] }, 'vol-qcow2-nocow');
  t.same(imageOptions(ALL, q({ compat: '0.10' }, { preallocate: 'metadata' })), { ok: true, value: ['preallocation=metadata', 'compat=0.10'] });
  t.same(imageOptions(ALL, q({})), { ok: true, value: [] }, 'nothing asked, nothing passed');
  t.same(imageOptions(ALL, { format: 'raw', image: { nocow: true }, hasBacking: false }), { ok: true, value: ['nocow=on'] }, 'nocow is not only for qcow2');
});

t.test('refused as libvirt and qemu-img refuse them', async (t) => {
  t.match(imageOptions(ALL, q({ compat: '0.10', features: ['lazy_refcounts'] })), { ok: false, code: 'INVALID_ARGUMENT', message: /lazy_refcounts not supported with compat level 0.10/ }, 'vol-qcow2-0.10-lazy');
  t.match(imageOptions(ALL, q({ compat: '0.10', features: ['extended_l2'] })), { ok: false, code: 'INVALID_ARGUMENT' });
  t.match(imageOptions(ALL, q({}, { preallocate: 'metadata', hasBacking: true })), { ok: false, code: 'INVALID_ARGUMENT', message: /conflicts with backing store/ });
  t.match(imageOptions(ALL, { format: 'raw', preallocate: 'falloc', hasBacking: false }), { ok: false, code: 'INVALID_ARGUMENT' }, 'preallocation is for qcow2');
  t.match(imageOptions(ALL, { format: 'vmdk', image: { compat: '1.1' }, hasBacking: false }), { ok: false, code: 'INVALID_ARGUMENT' }, 'compat is for qcow2');
  for (const n of [256, 3 * 65536, 4 * 1024 * 1024]) t.match(imageOptions(ALL, q({ clusterSize: n })), { ok: false, code: 'INVALID_ARGUMENT' }, `cluster size ${n}`);
  t.match(imageOptions(OLD, q({ features: ['extended_l2'] })), { ok: false, code: 'UNSUPPORTED' }, 'a series without extended_l2 says so');
  t.same(imageOptions(OLD, q({ features: ['lazy_refcounts'] })), { ok: true, value: ['compat=1.1', 'lazy_refcounts'] }, 'that series still has lazy_refcounts');
});
