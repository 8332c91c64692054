import { defineScriptlet, done, fail, toolFailed } from '../../runner/scriptlet/api.js';

/** dd over the whole partition: zeros or random bytes, counted in bytes, written through. */
export function ddWipeArgv(path: string, size: number, algorithm: 'zero' | 'random'): string[] {
  return [
    'dd',
    `if=${algorithm === 'zero' ? '/dev/zero' : '/dev/urandom'}`,
    `of=${path}`,
    'bs=1M',
    `count=${size}`,
    'iflag=fullblock,count_bytes',
    'oflag=direct',
    'conv=notrunc,fsync',
    'status=none'
  ];
}

export default defineScriptlet({
  operation: 'vol.wipe',
  poolTypes: ['disk'],
  tool: 'coreutils',
  versions: '>=8.16.0',
  why: "coreutils 8.16 (NEWS) added dd's count_bytes input flag, which lets the whole partition be overwritten to its exact byte size without a short last block.",
  binaries: ['dd'],
  run: async (ctx, input) => {
    const v = input.volume;
    if (v.type !== 'block') return fail('UNSUPPORTED', `${v.path} is not a block volume`);
    if (v.extra?.['partType'] === 'extended') {
      return fail('INVALID_ARGUMENT', `${v.path} is an extended partition: wiping it would destroy the logical partitions' boot records`);
    }
    const argv = ddWipeArgv(v.path, v.capacity, input.algorithm);
    const r = await ctx.$`${argv}`;
    if (r.failed) {
      if (/Device or resource busy/.test(r.stderr)) return fail('POOL_BUSY', `${v.path} is in use`, r);
      if (/No such file or directory/.test(r.stderr)) return fail('NO_VOLUME', `${v.path} does not exist`, r);
      if (/Permission denied|Operation not permitted/.test(r.stderr)) return fail('PERMISSION_DENIED', `${v.path}: permission denied`, r);
      return toolFailed(r, `wiping ${v.path}`);
    }
    ctx.progress(v.capacity, v.capacity);
    return done({});
  }
});
