// libvirt storage XML for the agent: pools, volumes, find-storage-pool-sources, sizes with units.
export { parsePoolXml, formatPoolXml, normalizePoolDefinition, type PoolDefinitionInput } from './pool-xml.js';
export { parseVolXml, formatVolXml, type VolumeSpec, type ParseVolOptions, type FormatVolOptions, EXTRA_SOURCE_DEVICE, EXTRA_EXTENT_START, EXTRA_EXTENT_END } from './vol-xml.js';
export { formatSourcesXml } from './sources-xml.js';
export { parseSize, formatSize, unitFactor } from './units.js';
export { nameProblem } from './names.js';
export { POOL_TYPES, type PoolTypeInfo } from './pool-types.js';
