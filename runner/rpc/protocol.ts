// JSON-RPC 2.0 framing: requests in, responses out, errors with the spec's code in `data`.
import { RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND, RPC_PARSE_ERROR, rpcCodeFor, type ErrorData } from '../errors.js';

export type RpcId = string | number | null;

export interface RpcRequest {
  id: RpcId;
  /** false for notifications (no id member): no response is sent. */
  hasId: boolean;
  method: string;
  params: unknown;
}

export interface RpcErrorObject {
  code: number;
  message: string;
  data: ErrorData;
}

export type RpcResponse = { jsonrpc: '2.0'; id: RpcId; result: unknown } | { jsonrpc: '2.0'; id: RpcId; error: RpcErrorObject };

/** Longest string kept in an error's data (message, field, stderr...): errors echo input, and input may be megabytes. */
export const MAX_ERROR_TEXT = 4096;

const clipText = (s: string): string => (s.length > MAX_ERROR_TEXT ? `${s.slice(0, MAX_ERROR_TEXT)}… (${s.length - MAX_ERROR_TEXT} more characters)` : s);

/** The error data with every long string clipped (a refused 8 MiB request must not come back whole). */
function boundData(data: ErrorData): ErrorData {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) out[k] = typeof v === 'string' ? clipText(v) : Array.isArray(v) ? v.map((x) => (typeof x === "string" ? clipText(x) : x)) : v;
  return out as unknown as ErrorData;
}

export function errorResponse(id: RpcId, rpcCode: number, data: ErrorData): RpcResponse {
  const d = boundData(data);
  return { jsonrpc: '2.0', id, error: { code: rpcCode, message: d.message, data: d } };
}

export const parseError = (why: string): RpcResponse => errorResponse(null, RPC_PARSE_ERROR, { code: 'INVALID_ARGUMENT', message: `parse error: ${why}` });

export function invalidRequest(id: RpcId, why: string): RpcResponse {
  return errorResponse(id, RPC_INVALID_REQUEST, { code: 'INVALID_ARGUMENT', message: `invalid request: ${why}` });
}

export function methodNotFound(id: RpcId, method: string): RpcResponse {
  return errorResponse(id, RPC_METHOD_NOT_FOUND, { code: 'UNSUPPORTED', message: `method not found: ${method.slice(0, 200)}` });
}

export function failure(id: RpcId, data: ErrorData): RpcResponse {
  return errorResponse(id, rpcCodeFor(data.code), data);
}

const validId = (v: unknown): v is RpcId => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** One element of a request (or batch): a request, or the error response it deserves. */
export function toRequest(v: unknown): RpcRequest | RpcResponse {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return invalidRequest(null, 'a request must be an object');
  const o = v as Record<string, unknown>;
  const hasId = Object.prototype.hasOwnProperty.call(o, 'id');
  const id = hasId && validId(o['id']) ? (o['id'] as RpcId) : null;
  if (hasId && !validId(o['id'])) return invalidRequest(null, 'id must be a string, a number or null');
  if (o['jsonrpc'] !== '2.0') return invalidRequest(id, 'jsonrpc must be "2.0"');
  // An empty method is still a string: a notification of it is valid (and ignored), a call of it is "method not found".
  if (typeof o['method'] !== 'string') return invalidRequest(id, 'method must be a string');
  const params = o['params'];
  // params must be structured (JSON-RPC 2.0, 4.2): a scalar makes the request invalid. An array
  // (positional params) is a valid request this server does not offer: answered after the method
  // is looked up (RpcServer.handle), and never for a notification.
  if (params !== undefined && (typeof params !== 'object' || params === null)) {
    return errorResponse(id, -32602, { code: 'INVALID_ARGUMENT', message: 'params must be an object (named parameters)', field: 'params' });
  }
  return { id, hasId, method: o['method'], params };
}
