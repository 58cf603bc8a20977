import { AgentNotFoundError, AppError, DomainProofFailedError, ResponseBudgetSpentError, UnsupportedOperationError, ValidationError } from '../errors.js';

/** JSON-RPC 2.0 error codes, and the registry's own in the range A2A reserves (-32001 to -32099). */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  AgentNotFound: -32001,
  /** A2A's own UnsupportedOperationError. */
  UnsupportedOperation: -32004,
  Conflict: -32010,
  PreconditionFailed: -32011,
  Unavailable: -32012,
  Unauthorized: -32013,
  Forbidden: -32014,
  RateLimited: -32015,
  ResponseBudgetSpent: -32016,
  IdempotencyKeyReused: -32017,
  DomainProofFailed: -32018,
  NotFound: -32019,
  ChangesGone: -32020,
} as const;

export interface RpcError {
  code: number;
  message: string;
  data?: unknown[];
}

const ERROR_INFO_TYPE = 'type.googleapis.com/google.rpc.ErrorInfo';
const BAD_REQUEST_TYPE = 'type.googleapis.com/google.rpc.BadRequest';

function codeOf(error: AppError): number {
  if (error instanceof AgentNotFoundError) return RpcCode.AgentNotFound;
  if (error instanceof ResponseBudgetSpentError) return RpcCode.ResponseBudgetSpent;
  if (error instanceof DomainProofFailedError) return RpcCode.DomainProofFailed;
  if (error instanceof UnsupportedOperationError) return RpcCode.UnsupportedOperation;
  switch (error.status) {
    case 400:
      return RpcCode.InvalidParams;
    case 401:
      return RpcCode.Unauthorized;
    case 403:
      return RpcCode.Forbidden;
    case 404:
      return RpcCode.NotFound;
    case 429:
      return RpcCode.RateLimited;
    case 409:
      return RpcCode.Conflict;
    case 412:
      return RpcCode.PreconditionFailed;
    case 422:
      return RpcCode.IdempotencyKeyReused;
    case 410:
      return RpcCode.ChangesGone;
    case 503:
      return RpcCode.Unavailable;
    default:
      return RpcCode.InternalError;
  }
}

/**
 * The same errors the REST door shows, as JSON-RPC errors. `data` is an array of typed objects,
 * as A2A does: the registry's stable code, and the field violations of a bad request.
 */
export function rpcErrorOf(error: AppError): RpcError {
  const metadata = Object.keys(error.details).length > 0 ? { metadata: error.details } : {};
  const data: unknown[] = [{ '@type': ERROR_INFO_TYPE, reason: error.code, domain: 'a2a-registry', ...metadata }];
  if (error instanceof ValidationError && error.violations.length > 0) {
    data.push({
      '@type': BAD_REQUEST_TYPE,
      fieldViolations: error.violations.map((v) => ({ field: v.path, description: v.message })),
    });
  }
  return { code: codeOf(error), message: error.message, data };
}
