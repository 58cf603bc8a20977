import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/** An entity tag of some bytes: a digest of them, so equal bytes have equal tags on every replica. */
function contentTagOf(bytes: Buffer): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
}

/** Whether `If-None-Match` names `etag` (compared weakly, RFC 9110 §13.1.2) or is `*`. */
function noneMatchHolds(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}

export interface TaggedJsonOptions {
  contentType: string;
  cacheControl: string;
  /**
   * Builds the body sent from the tagged bytes when it may differ from them for the same content
   * (a randomised signature added): the tag is then weak, and the body is built only for a client
   * that lacks it. @defaultValue the tagged bytes, under a strong tag
   */
  bodyOf?: () => Promise<Buffer>;
}

/**
 * Sends a JSON body with an ETag computed from `tagged`, or 304 when the client's `If-None-Match`
 * names it.
 */
export async function sendTaggedJson(req: Request, res: Response, tagged: Buffer, options: TaggedJsonOptions): Promise<void> {
  const etag = options.bodyOf ? `W/${contentTagOf(tagged)}` : contentTagOf(tagged);
  res.setHeader('ETag', etag);
  res.setHeader('Cache-Control', options.cacheControl);
  if (noneMatchHolds(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return;
  }
  const body = options.bodyOf ? await options.bodyOf() : tagged;
  res.statusCode = 200;
  res.setHeader('Content-Type', options.contentType);
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
