import type { Principal } from '../auth/principal.js';
import type { Logger } from '../logger.js';
import { toAppError } from '../http/error-middleware.js';
import { toJsonBytes } from '../http/json-text.js';
import { RpcCode, rpcErrorOf, type RpcError } from './jsonrpc-errors.js';

/** Where a call's params sit in the request's JSON text (to keep exact card bytes), and who calls. */
export interface CallContext {
  rawText: string | undefined;
  paramsPath: (string | number)[];
  principal: Principal | undefined;
}

export type MethodHandler = (params: Record<string, unknown>, context: CallContext) => Promise<unknown>;

type RequestId = string | number | null;

/** Largest batch one HTTP request may carry. */
export const MAX_BATCH_SIZE = 100;

const response = (id: RequestId, body: { result: unknown } | { error: RpcError }) => ({ jsonrpc: '2.0', id, ...body });

function isValidId(id: unknown): id is RequestId {
  return id === null || typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id));
}

/** JSON-RPC 2.0 over one request or a batch: notifications get no answer, faults never escape. */
export class JsonRpcDispatcher {
  constructor(
    private readonly methods: ReadonlyMap<string, MethodHandler>,
    private readonly logger: Logger,
  ) {}

  /** The response body, or undefined when nothing is owed (only notifications). */
  async handle(body: unknown, rawText: string | undefined, principal?: Principal): Promise<Buffer | undefined> {
    if (!Array.isArray(body)) {
      const answer = await this.call(body, { rawText, paramsPath: ['params'], principal });
      return answer === undefined ? undefined : toJsonBytes(answer);
    }
    if (body.length === 0) return toJsonBytes(this.invalidRequest('A batch must not be empty'));
    if (body.length > MAX_BATCH_SIZE) {
      return toJsonBytes(this.invalidRequest(`A batch may hold at most ${MAX_BATCH_SIZE} calls`));
    }
    const answers = await Promise.all(
      body.map((call, index) => this.call(call, { rawText, paramsPath: [index, 'params'], principal })),
    );
    const owed = answers.filter((answer) => answer !== undefined);
    return owed.length === 0 ? undefined : toJsonBytes(owed);
  }

  parseError(message: string): Buffer {
    return toJsonBytes(response(null, { error: { code: RpcCode.ParseError, message } }));
  }

  private invalidRequest(message: string, id: RequestId = null) {
    return response(id, { error: { code: RpcCode.InvalidRequest, message } });
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
