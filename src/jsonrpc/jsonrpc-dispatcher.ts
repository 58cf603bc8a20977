import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import { toAppError } from '../http/error-middleware.js';
import { ResponseBudgetSpentError } from '../errors.js';
import { toJsonBytes } from '../http/json-text.js';
import { RpcCode, rpcErrorOf, type RpcError } from './jsonrpc-errors.js';
import type { rpcResponseSchema } from './jsonrpc-openapi.js';

/** Where a call's params sit in the request's JSON text (to keep exact card bytes), and who calls. */
export interface CallContext {
  rawText: string | undefined;
  paramsPath: (string | number)[];
  principal: Principal | undefined;
  /** About the most bytes of agent records this call's answer may carry: what its batch has left. */
  responseBytes: number;
}

export type MethodHandler = (params: Record<string, unknown>, context: CallContext) => Promise<unknown>;

type RequestId = string | number | null;

/** Largest batch one HTTP request may carry. */
export const MAX_BATCH_SIZE = 100;

const COMMA = Buffer.from(',');

/** A JSON array of JSON texts already in bytes. */
function jsonArrayOf(items: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from('[')];
  for (const [index, item] of items.entries()) parts.push(...(index === 0 ? [item] : [COMMA, item]));
  parts.push(Buffer.from(']'));
  return Buffer.concat(parts);
}

const response = (id: RequestId, body: { result: unknown } | { error: RpcError }): z.infer<typeof rpcResponseSchema> => ({ jsonrpc: '2.0', id, ...body });

function isValidId(id: unknown): id is RequestId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/**
 * JSON-RPC 2.0 over one request or a batch: notifications get no answer, faults never escape.
 * A batch's calls run one after another, each answer put into bytes as soon as it is made, so that
 * a batch holds at most about `maxResponseBytes` of answers: the calls after that are not run and
 * are answered with an error, whatever they would have returned.
 */
export class JsonRpcDispatcher {
  constructor(
    private readonly methods: ReadonlyMap<string, MethodHandler>,
    private readonly logger: Logger,
    /** About the most bytes of answers one request gets. */
    private readonly maxResponseBytes: number,
  ) {}

  /** The response body, or undefined when nothing is owed (only notifications). */
  async handle(body: unknown, rawText: string | undefined, principal?: Principal): Promise<Buffer | undefined> {
    if (!Array.isArray(body)) {
      const answer = await this.call(body, { rawText, paramsPath: ['params'], principal, responseBytes: this.maxResponseBytes });
      return answer === undefined ? undefined : toJsonBytes(answer);
    }
    if (body.length === 0) return toJsonBytes(this.invalidRequest('A batch must not be empty'));
    if (body.length > MAX_BATCH_SIZE) {
      return toJsonBytes(this.invalidRequest(`A batch may hold at most ${MAX_BATCH_SIZE} calls`));
    }
    const owed: Buffer[] = [];
    let left = this.maxResponseBytes;
    for (const [index, call] of body.entries()) {
      const context = { rawText, paramsPath: [index, 'params'], principal, responseBytes: left };
      const answer = left > 0 ? await this.call(call, context) : this.notRun(call);
      if (answer === undefined) continue;
      const bytes = toJsonBytes(answer);
      left -= bytes.length;
      owed.push(bytes);
    }
    return owed.length === 0 ? undefined : jsonArrayOf(owed);
  }

  parseError(message: string): Buffer {
    return toJsonBytes(response(null, { error: { code: RpcCode.ParseError, message } }));
  }

  private invalidRequest(message: string, id: RequestId = null) {
    return response(id, { error: { code: RpcCode.InvalidRequest, message } });
  }

  /** The answer owed to a call that comes after the batch's byte budget was spent. */
  private notRun(request: unknown) {
    const { id } = (typeof request === 'object' && request !== null ? request : {}) as Record<string, unknown>;
    if (!isValidId(id)) return undefined;
    const message = `Not run: the batch's earlier answers reached the response limit of ${this.maxResponseBytes} bytes; send this call again on its own`;
    return response(id, { error: this.errorOf(new ResponseBudgetSpentError(message), '') });
  }

  private async call(request: unknown, context: CallContext) {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      return this.invalidRequest('A request must be a JSON object');
    }
    const { jsonrpc, method, params, id } = request as Record<string, unknown>;
    const isNotification = !('id' in request);
    if (!isNotification && !isValidId(id)) return this.invalidRequest('id must be a string, a number or null');
    const replyId = isNotification ? null : (id as RequestId);
    if (jsonrpc !== '2.0') return this.invalidRequest('jsonrpc must be "2.0"', replyId);
    if (typeof method !== 'string') return this.invalidRequest('method must be a string', replyId);
    if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
      const error = { code: RpcCode.InvalidParams, message: 'params must be an object of named parameters' };
      return isNotification ? undefined : response(replyId, { error });
    }
    const handler = this.methods.get(method);
    if (!handler) {
      const error = { code: RpcCode.MethodNotFound, message: `Method '${method}' not found` };
      return isNotification ? undefined : response(replyId, { error });
    }
    try {
      const result = await handler((params ?? {}) as Record<string, unknown>, context);
      return isNotification ? undefined : response(replyId, { result });
    } catch (thrown) {
      return isNotification ? undefined : response(replyId, { error: this.errorOf(thrown, method) });
    }
  }

  private errorOf(thrown: unknown, method: string): RpcError {
    const appError = toAppError(thrown);
    if (appError) return rpcErrorOf(appError);
    this.logger.error({ err: thrown, method }, 'unhandled JSON-RPC error');
    return { code: RpcCode.InternalError, message: 'Internal error' };
  }
}
