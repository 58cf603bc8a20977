import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { PARSE_OPTIONS, violationsOf } from '../agents/card/card-validation.js';

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
  streaming?: boolean;
  pushNotifications?: boolean;
  /** Free text; every indexable word of it must appear in the card. */
  query?: string;
  /** Also show agents whose heartbeats stopped. */
  includeInactive: boolean;
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
} as const;

const FLAG_FILTERS = {
  streaming: ['streaming'],
  pushNotifications: ['push_notifications', 'pushNotifications'],
  includeInactive: ['include_inactive', 'includeInactive'],
} as const;

const SCALARS = {
  query: ['q', 'query'],
  limit: ['limit', 'pageSize', 'page_size'],
  cursor: ['cursor', 'pageToken', 'page_token'],
} as const;

const filterValue = z.union([z.string().max(512), z.array(z.string().max(512)).max(50)]);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const limit = z.coerce
  .number({ error: 'must be a whole number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`);

function listOf(value: string | string[]): string[] {
  const values = Array.isArray(value) ? value : value.split(',');
  return values.map((v) => v.trim()).filter((v) => v.length > 0);
}

const KNOWN_KEYS = new Set<string>(
  [...Object.values(LIST_FILTERS), ...Object.values(FLAG_FILTERS), ...Object.values(SCALARS)].flat(),
);

function schemaOf(key: string): z.ZodType {
  if (Object.values(FLAG_FILTERS).some((keys) => (keys as readonly string[]).includes(key))) return flag;
  if (SCALARS.limit.includes(key as never)) return limit;
  if (SCALARS.query.includes(key as never) || SCALARS.cursor.includes(key as never)) return z.string().max(1024);
  return filterValue;
}

/** Every known parameter, optional; built once, because zod compiles each object schema on first use. */
const PARAMETERS = z.object(Object.fromEntries([...KNOWN_KEYS].map((key) => [key, schemaOf(key).optional()])));

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
  const unknownKeys = Object.keys(params).filter((key) => !KNOWN_KEYS.has(key));
  const parsed = PARAMETERS.safeParse(params, PARSE_OPTIONS);
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
  return criteria;
}
