// Pool types the agent offers, each a table of operations (runner/backends/types.ts).
import type { PoolType } from '../contracts/generated.js';
import type { Backend } from './types.js';
import { dirBackend } from './dir.js';
import { diskBackend } from './disk.js';
import { fsBackend } from './fs.js';
import { netfsBackend } from './netfs.js';
import { logicalBackend } from './logical.js';
import { iscsiDirectBackend } from './iscsi-direct.js';
import { zfsBackend } from './zfs.js';
import { iscsiBackend } from './iscsi.js';

export const BACKENDS: Partial<Record<PoolType, Backend>> = {
  dir: dirBackend,
  disk: diskBackend,
  fs: fsBackend,
  netfs: netfsBackend,
  logical: logicalBackend,
  'iscsi-direct': iscsiDirectBackend,
  zfs: zfsBackend,
  iscsi: iscsiBackend
};

/** Host-wide operations (no pool): the tool serving each. */
export const HOST_OPS: Record<string, string> = { 'host.listVolumes': 'lsblk' };
