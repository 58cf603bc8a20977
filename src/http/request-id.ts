import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

const ACCEPTED_ID = /^[\w.:-]{1,128}$/;

declare module 'express-serve-static-core' {
  interface Request {
    /** Correlates a request's log lines and response: the caller's `X-Request-Id` when sane, else a new one. */
    id?: string;
  }
}

export function requestId(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    req.id = incoming && ACCEPTED_ID.test(incoming) ? incoming : randomUUID();
    res.set('X-Request-Id', req.id);
    next();
  };
}
