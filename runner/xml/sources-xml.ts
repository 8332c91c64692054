// find-storage-pool-sources' answer as libvirt writes it (virStoragePoolSourceListFormat): a
// <sources> document with one <source> per candidate, each written like a pool's <source> for
// that pool type, e.g. for logical:
//   <sources>
//     <source>
//       <device path='/dev/sdb'/>
//       <name>vg</name>
//       <format type='lvm2'/>
//     </source>
//   </sources>
// There is no RelaxNG grammar for this document in libvirt; each <source> has the shape of the
// pool schema's <source> for that type.
import type { PoolSource, PoolType } from '../contracts/generated.js';
import { elem, serialize } from './dom.js';
import { poolSourceElement } from './pool-source.js';

export function formatSourcesXml(type: PoolType, sources: PoolSource[]): string {
  const root = elem('sources', [], sources.map((s) => poolSourceElement(type, s)));
  root.keepOpen = true;
  return serialize(root);
}
