// Pool types the agent offers, each a table of operations (runner/backends/types.ts).
import type { PoolType } from '../contracts/generated.js';
import type { Backend } from './types.js';
import { dirBackend } from './dir.js';
import { logicalBackend } from './logical.js';

export const BACKENDS: Partial<Record<PoolType, Backend>> = {
  dir: dirBackend,
  logical: logicalBackend
};

/** Host-wide operations (no pool): the tool serving each. */
export const HOST_OPS: Record<string, string> = {};
