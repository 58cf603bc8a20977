import { z } from 'zod';
import { isAirIdentifier } from '../agents/air-identifier.js';
import { InvalidCatalogError } from '../errors.js';
import { PARSE_OPTIONS, violationsOf } from '../validation.js';

/** The media type of an AI Catalog, and of a catalog entry that nests one. */
export const AI_CATALOG_MEDIA_TYPE = 'application/ai-catalog+json';

/** The entry type of an A2A agent card: the only entries the registry registers. */
export const A2A_CARD_ENTRY_TYPE = 'application/a2a-agent-card+json';

/**
 * How deep catalogs nest before the registry stops following them: the AI Catalog specification's
 * recommended limit. The catalog a caller names is at depth 0; one its entries nest is at depth 1.
 */
export const MAX_CATALOG_NESTING = 4;

/** Longest entry URL the registry follows, as long as the URLs a caller may name. */
const MAX_ENTRY_URL_LENGTH = 2048;

/** The catalog's own shape, enough to walk it: each entry is read on its own, so one bad entry spoils no other. */
// Loose: the other members (`host`, `signature`) stay, so the document's signature can be checked over all of it.
const catalogShape = z.looseObject({ specVersion: z.string(), entries: z.array(z.unknown()) });

/** A catalog as the registry walks it. */
export type CatalogDocument = z.infer<typeof catalogShape>;

/**
 * One entry, as the catalog schema requires it: a `urn:air` identifier, a display name, a media
 * type, and exactly one of `url` (the document's location) and `data` (the document inline).
 */
const entrySchema = z
  .object({
    identifier: z.string().refine(isAirIdentifier, { message: 'must be a urn:air identifier (urn:air:{publisher}:{namespace}:{name}) of at most 512 characters' }),
    displayName: z.string(),
    type: z.string().min(1),
    url: z.string().min(1).max(MAX_ENTRY_URL_LENGTH).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((entry) => (entry.url === undefined) !== (entry.data === undefined), { message: 'must have exactly one of url and data' });

/** A catalog entry that passed {@link readEntry}. */
export type CatalogEntry = z.infer<typeof entrySchema>;

/** What {@link readEntry} made of one entry: the entry, or why it is malformed (with its identifier when that much was readable). */
export type EntryRead = { ok: true; entry: CatalogEntry } | { ok: false; identifier?: string; message: string };

/**
 * Whether a fetched document is an AI Catalog: served as one (`application/ai-catalog+json`), or
 * shaped as one (`specVersion` and an `entries` array), since many servers label every JSON file `application/json`.
 */
export function asCatalog(json: unknown, contentType: string, url: string): CatalogDocument | undefined {
  const parsed = catalogShape.safeParse(json);
  if (parsed.success) return parsed.data;
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (mediaType !== AI_CATALOG_MEDIA_TYPE) return undefined;
  const problems = violationsOf(parsed.error).map((violation) => `${violation.path}: ${violation.message}`);
  throw new InvalidCatalogError(`${url} is served as an AI Catalog but is not one (${problems.join('; ')})`, url);
}

/** Reads one entry against the catalog schema, with every violation in one message. */
export function readEntry(raw: unknown, index: number): EntryRead {
  const parsed = entrySchema.safeParse(raw, PARSE_OPTIONS);
  if (parsed.success) return { ok: true, entry: parsed.data };
  const identifier = typeof raw === 'object' && raw !== null ? (raw as { identifier?: unknown }).identifier : undefined;
  const message = violationsOf(parsed.error, `$.entries[${index}]`)
    .map((violation) => `${violation.path}: ${violation.message}`)
    .join('; ');
  return { ok: false, ...(typeof identifier === 'string' ? { identifier: identifier.slice(0, 600) } : {}), message };
}
