import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { poolRefresh } from '../zfs-0.8/pool-refresh.js';
import { ZFS_23 } from './series.js';

// Unchanged from 0.8 (see series.ts): the same argv and parser under 2.3's range.
export default defineScriptlet({ ...poolRefresh, versions: ZFS_23.versions, why: `${ZFS_23.why} ${poolRefresh.why.slice(poolRefresh.why.indexOf('. ') + 2)}` });
