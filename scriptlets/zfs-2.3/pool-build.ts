import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { poolBuild } from '../zfs-0.8/pool-build.js';
import { ZFS_23 } from './series.js';

// Unchanged from 0.8 (see series.ts): the same argv and parser under 2.3's range.
export default defineScriptlet({ ...poolBuild, versions: ZFS_23.versions, why: `${ZFS_23.why} ${poolBuild.why.slice(poolBuild.why.indexOf('. ') + 2)}` });
