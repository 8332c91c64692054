// Errors are values: every failure that leaves the agent is an ErrorData with a stable code from
// the spec (contracts/defs.json#/definitions/ErrorCode). Nothing here keeps global state.
import type { ErrorCode, ErrorData } from './contracts/generated.js';

export type { ErrorCode, ErrorData };

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorData };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export function err(code: ErrorCode, message: string, extra: Omit<Partial<ErrorData>, 'code' | 'message'> = {}): { ok: false; error: ErrorData } {
  return { ok: false, error: { code, message, ...extra } };
}

/** JSON-RPC error numbers: the protocol's own, and one server error number per spec code. */
export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;

const SERVER_CODES: Record<ErrorCode, number> = {
  INVALID_ARGUMENT: -32602,
  XML_ERROR: -32001,
  NO_POOL: -32002,
  NO_VOLUME: -32003,
  POOL_EXISTS: -32004,
  VOLUME_EXISTS: -32005,
  POOL_INACTIVE: -32006,
  POOL_ACTIVE: -32007,
  POOL_BUSY: -32008,
  NO_SPACE: -32009,
  ALREADY_BUILT: -32010,
  UNSUPPORTED: -32011,
  TOOL_MISSING: -32012,
  TOOL_FAILED: -32013,
  TIMEOUT: -32014,
  CONTRACT_VIOLATION: -32015,
  SANDBOX_DENIED: -32016,
  PERMISSION_DENIED: -32017,
  CONFLICT: -32018,
  CANCELLED: -32019,
  CONNECT_FAILED: -32020,
  INTERNAL: -32603
};

export const rpcCodeFor = (code: ErrorCode): number => SERVER_CODES[code];

/** Trim tool stderr for error data: people need the gist, not megabytes. */
export function trimStderr(stderr: string, max = 2000): string {
  const t = stderr.trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

/** Turn an unexpected exception into INTERNAL (a bug), keeping its message for the report. */
export function internal(e: unknown, where: string): { ok: false; error: ErrorData } {
  const msg = e instanceof Error ? e.message : String(e);
  return err('INTERNAL', `internal error in ${where}: ${msg} (please report this)`);
}

/** Map an OS error (errno code) to the spec's codes where one fits. */
export function fromErrno(e: unknown, what: string): { ok: false; error: ErrorData } {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  const msg = e instanceof Error ? e.message : String(e);
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return err('PERMISSION_DENIED', `${what}: ${msg}`);
    case 'ENOSPC':
    case 'EDQUOT':
      return err('NO_SPACE', `${what}: ${msg}`);
    case 'EEXIST':
      return err('VOLUME_EXISTS', `${what}: ${msg}`);
    case 'ENOENT':
      return err('NO_VOLUME', `${what}: ${msg}`);
    case 'ENOTEMPTY':
      return err('POOL_BUSY', `${what}: ${msg}`);
    case 'ELOOP':
      return err('SANDBOX_DENIED', `${what}: refusing to follow a symbolic link (${msg})`);
    default:
      return internal(e, what);
  }
}
