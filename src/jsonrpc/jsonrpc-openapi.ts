import { z } from 'zod';
import { API_ERRORS, errorResponses, type ApiOperation } from '../http/api-description.js';
import { named } from '../http/named-schemas.js';

// `POST /jsonrpc` for the API document: the JSON-RPC 2.0 envelope only; `list_methods` lists the methods.

const requestId = z.union([z.string(), z.number(), z.null()]);

const rpcRequest = named(
  'JsonRpcRequest',
  z.looseObject({ jsonrpc: z.literal('2.0'), method: z.string(), params: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(), id: requestId.optional() }),
);

const rpcErrorSchema = z.object({ code: z.number().int(), message: z.string(), data: z.array(z.unknown()).optional() });

/** One answer: its result, or its error (whose HTTP status stays 200). */
export const rpcResponseSchema = named(
  'JsonRpcResponse',
  z.union([
    z.object({ jsonrpc: z.literal('2.0'), id: requestId, result: z.unknown() }),
    z.object({ jsonrpc: z.literal('2.0'), id: requestId, error: rpcErrorSchema }),
  ]),
);

export const jsonRpcOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/jsonrpc',
    operationId: 'jsonRpc',
    summary: 'JSON-RPC 2.0: one call or a batch (`list_methods` lists every method and its params)',
    description:
      'Errors of a call, a body that is not JSON included (-32700), are JSON-RPC errors in a 200 answer. Wrong content type, size or depth, credentials that prove nothing and spent budgets keep their HTTP status.',
    tag: 'jsonrpc',
    access: 'read',
    requestBody: { description: 'A call, or a batch of calls', schema: z.union([rpcRequest, z.array(rpcRequest)]) },
    responses: {
      200: { description: 'The answer, or the answers of a batch (a call without an id gets none)', schema: z.union([rpcResponseSchema, z.array(rpcResponseSchema)]) },
      204: { description: 'Every call of the request was a notification: nothing to answer' },
      ...errorResponses(400, 413, 415, ...API_ERRORS),
    },
  },
];
