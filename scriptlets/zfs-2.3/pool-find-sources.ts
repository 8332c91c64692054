import { defineScriptlet } from '../../runner/scriptlet/api.js';
import { findSources } from '../zfs-0.8/pool-find-sources.js';
import { ZFS_23 } from './series.js';

// Unchanged from 0.8 (see series.ts): the same argv and parser under 2.3's range.
export default defineScriptlet({ ...findSources, versions: ZFS_23.versions, why: `${ZFS_23.why} ${findSources.why.slice(findSources.why.indexOf('. ') + 2)}` });
