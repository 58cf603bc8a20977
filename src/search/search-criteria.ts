import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { PARSE_OPTIONS, violationsOf } from '../validation.js';

/** What a client asks of a listing or a search; every filter must hold (AND). */
export interface SearchCriteria {
  skills: string[];
  tags: string[];
  inputModes: string[];
  outputModes: string[];
  bindings: string[];
  providers: string[];
  extensions: string[];
  /** `verified`, `invalid` or `unsigned`; several: any of them is not supported, all must hold. */
  signatureStatuses: string[];
  /** What the worker's last probe found (`ok`, `unreachable`, ...); several: all must hold. */
  probeStatuses?: string[];
  streaming?: boolean;
  pushNotifications?: boolean;
  /** Free text; every indexable word of it must appear in the card. */
  query?: string;
  /** Also show agents whose heartbeats stopped. */
  includeInactive: boolean;
  /**
   * List the agents whose last change was at or after this time (Unix ms), in the order of their
   * changes, instead of listing by id; no filter or query may come with it.
   */
  updatedSince?: number;
  /** With `updatedSince`: also the tombstones of the agents deleted since. @defaultValue false */
  includeDeleted?: boolean;
  limit: number;
  cursor?: string;
}

/** Page size when the client names none. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 200;

const LIST_FILTERS = {
  skills: ['skill', 'skills'],
  tags: ['tag', 'tags'],
  inputModes: ['input_mode', 'input_modes', 'inputMode', 'inputModes'],
  outputModes: ['output_mode', 'output_modes', 'outputMode', 'outputModes'],
  bindings: ['binding', 'bindings', 'protocol_binding', 'protocolBinding'],
  providers: ['provider', 'providers', 'organization'],
  extensions: ['extension', 'extensions'],
  signatureStatuses: ['signature_status', 'signatureStatus'],
  probeStatuses: ['probe_status', 'probeStatus'],
} as const;

const FLAG_FILTERS = {
  streaming: ['streaming'],
  pushNotifications: ['push_notifications', 'pushNotifications'],
  includeInactive: ['include_inactive', 'includeInactive'],
  includeDeleted: ['include_deleted', 'includeDeleted'],
} as const;

const SCALARS = {
  query: ['q', 'query'],
  // `max_results` is the page size as the earlier registry named it.
  limit: ['limit', 'pageSize', 'page_size', 'max_results', 'maxResults'],
  cursor: ['cursor', 'pageToken', 'page_token'],
  mode: ['search_mode', 'searchMode'],
} as const;

/** The time from which a listing of what changed starts (RFC 3339). */
const UPDATED_SINCE = ['updated_since', 'updatedSince'] as const;

/** The one `search_mode` served: every query word must match (the earlier registry's default). */
const KEYWORD_MODE = 'keyword';

/** Parameters of the earlier registry's vector search, which has no meaning for keyword search. */
const SEMANTIC_ONLY = ['similarity_threshold', 'similarityThreshold'] as const;

/** The name each search parameter is documented by (the first of its spellings), in order. */
export const SEARCH_PARAMETERS: readonly string[] = [LIST_FILTERS, FLAG_FILTERS, { since: UPDATED_SINCE }, SCALARS].flatMap((group) =>
  Object.values(group).map((names) => names[0]),
);

const filterValue = z.union([z.string().max(512), z.array(z.string().max(512)).max(50)]);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const limit = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`);

/** RFC 3339 date-time (`2026-12-06T04:00:00Z`, `...00.123+02:00`), as Unix ms. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
const rfc3339Time = z
  .string()
  .max(64)
  .refine((text) => RFC_3339.test(text) && !Number.isNaN(Date.parse(text)), { error: 'must be an RFC 3339 date-time, such as 2026-12-06T04:00:00Z' })
  .transform((text) => Date.parse(text));

function listOf(value: string | string[]): string[] {
  const values = Array.isArray(value) ? value : value.split(',');
  return values.map((v) => v.trim()).filter((v) => v.length > 0);
}

const KNOWN_KEYS = new Set<string>(
  [...Object.values(LIST_FILTERS), ...Object.values(FLAG_FILTERS), UPDATED_SINCE, ...Object.values(SCALARS)].flat(),
);

function schemaOf(key: string): z.ZodType {
  if (Object.values(FLAG_FILTERS).some((keys) => (keys as readonly string[]).includes(key))) return flag;
  if (SCALARS.limit.includes(key as never)) return limit;
  if (SCALARS.query.includes(key as never) || SCALARS.cursor.includes(key as never)) return z.string().max(1024);
  if (SCALARS.mode.includes(key as never)) return z.string().max(64);
  if (UPDATED_SINCE.includes(key as never)) return rfc3339Time;
  return filterValue;
}

/** Every known parameter, optional; built once, because zod compiles each object schema on first use. */
export const searchParametersSchema = z.object(Object.fromEntries([...KNOWN_KEYS].map((key) => [key, schemaOf(key).optional()])));

/**
 * Clients of the earlier registry may ask for its semantic (vector) search: they learn what is
 * served instead, by a code of its own, rather than that a parameter is unknown.
 */
function refuseUnservedModes(params: Record<string, unknown>, root: string): void {
  for (const key of SCALARS.mode) {
    const mode = params[key];
    if (mode === undefined || mode === KEYWORD_MODE) continue;
    throw new ValidationError(
      `search_mode ${JSON.stringify(mode)} is not supported: this registry serves only search_mode "${KEYWORD_MODE}" (every query word must match a word of the card, or begin one), with the structured filters`,
      [{ path: `${root}.${key}`, message: `must be "${KEYWORD_MODE}"` }],
      'unsupported_search_mode',
    );
  }
  for (const key of SEMANTIC_ONLY) {
    if (params[key] === undefined) continue;
    throw new ValidationError(
      `${key} applies only to semantic search, which this registry does not serve: keyword search (search_mode "${KEYWORD_MODE}") has no similarity score; leave it out`,
      [{ path: `${root}.${key}`, message: `has no meaning for search_mode "${KEYWORD_MODE}"` }],
      'unsupported_search_mode',
    );
  }
}

/**
 * Reads search criteria from a query string or a JSON body (the same names in both, with
 * snake_case, camelCase and singular/plural spellings), listing every bad or unknown parameter.
 */
export function parseSearchCriteria(input: unknown, root = '$'): SearchCriteria {
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationError('Search parameters must be an object', [{ path: root, message: 'must be an object' }]);
  }
  const params = input as Record<string, unknown>;
  refuseUnservedModes(params, root);
  const unknownKeys = Object.keys(params).filter((key) => !KNOWN_KEYS.has(key));
  const parsed = searchParametersSchema.safeParse(params, PARSE_OPTIONS);
  const violations = [
    ...(parsed.success ? [] : violationsOf(parsed.error, root)),
    ...unknownKeys.map((key) => ({ path: `${root}.${key}`, message: 'is not a known search parameter' })),
  ];
  if (!parsed.success || violations.length > 0) {
    throw new ValidationError('Invalid search parameters', violations);
  }
  const values = parsed.data as Record<string, unknown>;
  const pick = <T>(keys: readonly string[]): T | undefined =>
    keys.map((key) => values[key] as T | undefined).find((v) => v !== undefined);

  const criteria: SearchCriteria = {
    skills: [],
    tags: [],
    inputModes: [],
    outputModes: [],
    bindings: [],
    providers: [],
    extensions: [],
    signatureStatuses: [],
    probeStatuses: [],
    includeInactive: pick<boolean>(FLAG_FILTERS.includeInactive) ?? false,
    limit: pick<number>(SCALARS.limit) ?? DEFAULT_PAGE_SIZE,
  };
  for (const [name, keys] of Object.entries(LIST_FILTERS)) {
    criteria[name as keyof typeof LIST_FILTERS] = keys.flatMap((key) => {
      const value = values[key] as string | string[] | undefined;
      return value === undefined ? [] : listOf(value);
    });
  }
  const streaming = pick<boolean>(FLAG_FILTERS.streaming);
  const pushNotifications = pick<boolean>(FLAG_FILTERS.pushNotifications);
  const query = pick<string>(SCALARS.query)?.trim();
  const cursor = pick<string>(SCALARS.cursor);
  if (streaming !== undefined) criteria.streaming = streaming;
  if (pushNotifications !== undefined) criteria.pushNotifications = pushNotifications;
  if (query) criteria.query = query;
  if (cursor) criteria.cursor = cursor;
  const updatedSince = pick<number>(UPDATED_SINCE);
  if (updatedSince !== undefined) criteria.updatedSince = updatedSince;
  if (pick<boolean>(FLAG_FILTERS.includeDeleted)) criteria.includeDeleted = true;
  refuseChangedListingMix(criteria, values, root);
  return criteria;
}

/**
 * `updated_since` lists what changed, in the order of the changes: it does not combine with a
 * search's filters and words, whose order is rank. `include_deleted` needs it.
 */
function refuseChangedListingMix(criteria: SearchCriteria, values: Record<string, unknown>, root: string): void {
  const [since] = UPDATED_SINCE.filter((key) => values[key] !== undefined);
  if (since === undefined) {
    const [deleted] = FLAG_FILTERS.includeDeleted.filter((key) => values[key] !== undefined);
    if (deleted !== undefined && criteria.includeDeleted) {
      throw new ValidationError('include_deleted needs updated_since', [{ path: `${root}.${deleted}`, message: 'applies only with updated_since' }]);
    }
    return;
  }
  const mixed = [...Object.values(LIST_FILTERS), ...Object.values(FLAG_FILTERS).filter((keys) => keys !== FLAG_FILTERS.includeDeleted && keys !== FLAG_FILTERS.includeInactive), SCALARS.query]
    .flat()
    .filter((key) => values[key] !== undefined);
  if (mixed.length > 0) {
    throw new ValidationError(
      'updated_since lists every agent that changed, in the order of the changes; it cannot be combined with search filters or a query',
      mixed.map((key) => ({ path: `${root}.${key}`, message: 'cannot be combined with updated_since' })),
    );
  }
}
