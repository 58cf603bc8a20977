import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/** A strong entity tag of a body: a digest of its bytes, so equal bytes have equal tags on every replica. */
function contentTagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** Whether `If-None-Match` names `etag` (compared weakly, RFC 9110 §13.1.2) or is `*`. */
function noneMatchHolds(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/**
 * Sends a JSON body with a strong ETag computed from its bytes, or 304 when the client's
 * `If-None-Match` names it.
 */
export function sendTaggedJson(req: Request, res: Response, body: Buffer, headers: { contentType: string; cacheControl: string }): void {
  const etag = contentTagOf(body);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', headers.cacheControl);
  if (noneMatchHolds(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return;
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', headers.contentType);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
