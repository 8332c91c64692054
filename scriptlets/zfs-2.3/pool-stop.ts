import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { poolStop } from '../zfs-0.8/pool-stop.js';
import { ZFS_23 } from './series.js';

// Unchanged from 0.8 (see series.ts): the same argv and parser under 2.3's range.
export default defineScriptlet({ ...poolStop, versions: ZFS_23.versions, why: `${ZFS_23.why} ${poolStop.why.slice(poolStop.why.indexOf('. ') + 2)}` });
