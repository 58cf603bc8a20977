import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Routes } from '../http/app.js';
import { toAppError } from '../http/error-middleware.js';
import { sendJsonBytes } from '../http/send-json.js';
import type { JsonRpcDispatcher } from './jsonrpc-dispatcher.js';

/**
 * `POST /jsonrpc`. A body that is not JSON gets a JSON-RPC parse error (-32700); wrong content
 * type, size or depth keep their HTTP status, as on every other route.
 */
export function jsonRpcRoutes(dispatcher: JsonRpcDispatcher, jsonBody: RequestHandler, limit: RequestHandler | undefined): Routes {
  return (router) => {
    const parseErrors: ErrorRequestHandler = (error, _req, res, next) => {
      if (toAppError(error)?.code !== 'invalid_json') return next(error);
      sendJsonBytes(res, 200, dispatcher.parseError('Parse error: the body is not valid JSON'));
    };
    router.post('/jsonrpc', jsonBody, ...(limit ? [limit] : []), async (req, res) => {
      const answer = await dispatcher.handle(req.body, req.rawBody, req.principal);
      if (answer === undefined) return void res.status(204).end();
      sendJsonBytes(res, 200, answer);
    });
    router.use('/jsonrpc', parseErrors);
  };
}
