import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { poolDelete } from '../zfs-0.8/pool-delete.js';
import { ZFS_23 } from './series.js';

// Unchanged from 0.8 (see series.ts): the same argv and parser under 2.3's range.
export default defineScriptlet({ ...poolDelete, versions: ZFS_23.versions, why: `${ZFS_23.why} ${poolDelete.why.slice(poolDelete.why.indexOf('. ') + 2)}` });
