import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { poolStart } from '../zfs-0.8/pool-start.js';
import { ZFS_23 } from './series.js';

// Unchanged from 0.8 (see series.ts): the same argv and parser under 2.3's range.
export default defineScriptlet({ ...poolStart, versions: ZFS_23.versions, why: `${ZFS_23.why} ${poolStart.why.slice(poolStart.why.indexOf('. ') + 2)}` });
