import { ValidationError } from '../errors.js';

/**
 * One entity tag of a list (RFC 9110 §8.8.3): `"opaque"` or `W/"opaque"`, where the opaque part
 * holds no quote, space or control character. A bare number is taken too, as a strong tag: clients
 * of the earlier registry sent the revision unquoted.
 */
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$|^(\d{1,15})$/;

/** The strong tags `header` lists (their opaque parts); undefined when it is not a list of entity tags. */
function strongTagsOf(header: string): string[] | undefined {
  const strong: string[] = [];
  for (const element of header.split(',')) {
    const tag = element.trim();
    if (tag === '') continue;
    const match = ENTITY_TAG.exec(tag);
    if (!match) return undefined;
    // If-Match compares strongly (RFC 9110 §13.1.1): a weak tag never matches.
    if (match[1] === undefined) strong.push(match[2] ?? match[3]!);
  }
  return strong;
}

/** The revision an entity tag's opaque part names, when this registry could have issued it. */
function revisionOf(opaque: string): number | undefined {
  return /^\d{1,15}$/.test(opaque) ? Number(opaque) : undefined;
}

/**
 * Reads `If-Match`: undefined when absent, `'*'` for any current representation, otherwise the
 * revisions its strong tags name, any of which may match. Well-formed tags that name no revision
 * of this registry (`"stale-etag-0"`), and weak tags, match nothing: an empty list, which the write
 * answers with 412. Only a header that is not a list of entity tags is a 400.
 */
export function parseIfMatch(header: string | undefined): number[] | '*' | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return '*';
  const tags = strongTagsOf(header);
  if (tags === undefined) {
    throw new ValidationError('If-Match must be * or a list of entity tags such as "12"', [
      { path: 'header:If-Match', message: 'must be * or a comma-separated list of entity tags ("12", W/"12")' },
    ]);
  }
  return [...new Set(tags.map(revisionOf).filter((revision) => revision !== undefined))];
}

/** A revision named by an entity tag for `If-None-Match`, which compares weakly: `"12"`, `W/"12"` or a bare `12`. */
function revisionOfTag(tag: string): number | undefined {
  const match = /^(?:W\/"(\d{1,15})"|"(\d{1,15})"|(\d{1,15}))$/.exec(tag.trim());
  const digits = match?.[1] ?? match?.[2] ?? match?.[3];
  return digits === undefined ? undefined : Number(digits);
}

/** Whether `If-None-Match` names the current entity tag, so a 304 may be sent. */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const current = revisionOfTag(etag);
  return header.split(',').some((tag) => revisionOfTag(tag) === current);
}
