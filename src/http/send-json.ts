import type { Response } from 'express';
import { toJsonText } from './json-text.js';

/**
 * Sends a value as JSON, embedding stored cards verbatim. Written straight to the response:
 * Express's `send` would only add ETag and freshness checks the registry does not use.
 */
export function sendJson(res: Response, status: number, value: unknown): void {
  sendJsonText(res, status, toJsonText(value));
}

/** Sends JSON text that is ready as it is, such as a stored card or a prepared document. */
export function sendJsonText(res: Response, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  // Encoded once here: given the text, the length is one pass over it and Node's write another;
  // on a page of fifty cards, one pass less was ~8% of the request's CPU.
  const body = Buffer.from(text);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
