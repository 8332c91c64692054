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

export function errorResponse(id: RpcId, rpcCode: number, data: ErrorData): RpcResponse {
  return { jsonrpc: '2.0', id, error: { code: rpcCode, message: data.message, data } };
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
  if (typeof o['method'] !== 'string' || o['method'] === '') return invalidRequest(id, 'method must be a non-empty string');
  const params = o['params'];
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    return errorResponse(id, -32602, { code: 'INVALID_ARGUMENT', message: 'params must be an object (named parameters)', field: 'params' });
  }
  return { id, hasId, method: o['method'], params };
}
