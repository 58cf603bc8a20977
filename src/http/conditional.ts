import { ValidationError } from '../errors.js';

/** A revision named by an entity tag: `"12"`, `W/"12"` or a bare `12`. */
function revisionOfTag(tag: string): number | undefined {
  const match = /^(?:W\/"(\d{1,15})"|"(\d{1,15})"|(\d{1,15}))$/.exec(tag.trim());
  const digits = match?.[1] ?? match?.[2] ?? match?.[3];
  return digits === undefined ? undefined : Number(digits);
}

/**
 * Reads `If-Match`: undefined when absent, `'*'` for any current version, otherwise the one
 * revision it names. A value that names no revision of this registry is a 400.
 */
export function parseIfMatch(header: string | undefined): number | '*' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return '*';
  const revision = revisionOfTag(header);
  if (revision === undefined) {
    throw new ValidationError('If-Match must name one entity tag such as "12"', [
      { path: 'header:If-Match', message: 'must be one entity tag this registry issued, or *' },
    ]);
  }
  return revision;
}

/** Whether `If-None-Match` names the current entity tag, so a 304 may be sent. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const current = revisionOfTag(etag);
  return header.split(',').some((tag) => revisionOfTag(tag) === current);
}
