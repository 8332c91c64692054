// libvirt's <storagepoolCapabilities> (virsh pool-capabilities; libvirt's
// storagepoolcapabilities schema): every pool type libvirt knows, supported='yes' where this
// host serves it, with its source and volume formats from libvirt's table of pool types.
import { POOL_TYPES, LIBVIRT_ONLY_POOL_TYPES, isPoolType } from './pool-types.js';
import { elem, serialize, type XElement } from './dom.js';

function formatEnum(kind: 'poolOptions' | 'volOptions', enumName: string, def: string, values: readonly string[]): XElement {
  return elem(kind, [], [elem('defaultFormat', [['type', def]]), elem('enum', [['name', enumName]], values.map((v) => elem('value', [], [v])))]);
}

/** `served`: the agent.capabilities answer (pool types and whether this host serves them). */
export function poolCapabilitiesXml(served: readonly { type: string; supported: boolean }[]): string {
  const yes = new Set(served.filter((p) => p.supported).map((p) => p.type));
  const pools: XElement[] = [];
  for (const type of [...Object.keys(POOL_TYPES), ...LIBVIRT_ONLY_POOL_TYPES]) {
    const kids: XElement[] = [];
    if (isPoolType(type)) {
      const info = POOL_TYPES[type];
      if (info.formats && info.defaultFormat) kids.push(formatEnum('poolOptions', 'sourceFormatType', info.defaultFormat, info.formats));
      if (info.volFormats && info.defaultVolFormat) kids.push(formatEnum('volOptions', 'targetFormatType', info.defaultVolFormat, info.volFormats));
    }
    pools.push(elem('pool', [['type', type], ['supported', yes.has(type) ? 'yes' : 'no']], kids));
  }
  const xml = serialize(elem('storagepoolCapabilities', [], pools));
  return xml.endsWith('\n') ? xml : `${xml}\n`;
}
