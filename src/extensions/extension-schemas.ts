import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { snakeCaseKeys } from '../snake-case-keys.js';
import { TRUST_LEVELS, type TrustLevel } from '../store/extension-catalog.js';
import { PARSE_OPTIONS, violationsOf } from '../validation.js';
import { CARD_LIMITS } from '../card/card-limits.js';
import { MAX_AGENT_ID_LENGTH } from '../agents/agent-id.js';

/** Page size of the catalog when the client names none, and the largest it may ask: the earlier registry's. */
const DEFAULT_EXTENSION_PAGE_SIZE = 100;
const MAX_EXTENSION_PAGE_SIZE = 1000;
/** Most agents `declaring_agents` may name: each one's card is read, so they bound the request's work. */
const MAX_DECLARING_AGENTS = 20;
/** Declaring agents one extension answer lists at first, and at most per page. */
const DEFAULT_AGENT_PAGE_SIZE = 100;
const MAX_AGENT_PAGE_SIZE = 1000;

/**
 * A trust level as the earlier registry's clients may spell it: `verified`, `VERIFIED` or its
 * protocol-buffer name `TRUST_LEVEL_VERIFIED`.
 */
const trustLevel = z
  .string()
  .max(64)
  .describe(`One of ${TRUST_LEVELS.join(', ')}, in any case, or as TRUST_LEVEL_VERIFIED and so on`)
  .transform((value) => value.trim().toLowerCase().replace(/^trust_level_/, ''))
  .pipe(z.enum(TRUST_LEVELS, { error: `must be one of ${TRUST_LEVELS.join(', ')}` }));

/** A list in a JSON body, or comma-separated in a query string. */
const listOf = <T extends z.ZodType<unknown, string>>(item: T, max: number) =>
  z
    .union([z.string().max(4096).transform((text) => text.split(',').map((v) => v.trim()).filter((v) => v !== '')), z.array(z.string())])
    .pipe(z.array(item).max(max, `may name at most ${max}`));

const pageSize = (max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`);

const pageToken = z.string().min(1).max(4096);
const uri = z.string().trim().min(1, 'is required').max(CARD_LIMITS.indexedValueLength, `must be at most ${CARD_LIMITS.indexedValueLength} characters`);

/** `GET /extensions`'s query and `list_extensions`'s params, once camelCase names are read as snake_case. */
export const extensionListRequest = z.strictObject({
  uri_pattern: z.string().max(CARD_LIMITS.indexedValueLength).optional(),
  declaring_agents: listOf(z.string().min(1).max(MAX_AGENT_ID_LENGTH), MAX_DECLARING_AGENTS).optional(),
  trust_levels: listOf(trustLevel, TRUST_LEVELS.length).optional(),
  page_size: pageSize(MAX_EXTENSION_PAGE_SIZE).optional(),
  page_token: pageToken.optional(),
});

/** One extension: `GET /extensions/{uri}` and `get_extension`. */
export const extensionInfoRequest = z.strictObject({ uri, page_size: pageSize(MAX_AGENT_PAGE_SIZE).optional(), page_token: pageToken.optional() });

/** A trust level write: `PUT /extensions/{uri}/trust` and its method. */
export const trustWriteRequest = z.strictObject({ uri, trust_level: trustLevel });

/** What a page of the catalog asks, from either door. */
export interface ExtensionListRequest {
  /** Text the URI must hold, case-insensitively (the earlier registry's `uri_pattern`). */
  uriPattern?: string;
  declaringAgents: string[];
  trustLevels: TrustLevel[];
  pageSize: number;
  pageToken?: string;
}

/** What one extension's answer asks: its URI and a page of its declaring agents. */
export interface ExtensionInfoRequest {
  uri: string;
  pageSize: number;
  pageToken?: string;
}

function parse<T extends z.ZodType>(schema: T, input: unknown, root: string): z.infer<T> {
  const params = typeof input === 'object' && input !== null && !Array.isArray(input) ? snakeCaseKeys(input as Record<string, unknown>) : input;
  const parsed = schema.safeParse(params ?? {}, PARSE_OPTIONS);
  if (!parsed.success) throw new ValidationError('Invalid parameters', violationsOf(parsed.error, root));
  return parsed.data;
}

/** Reads `GET /extensions`'s query or `list_extensions`'s params (snake_case or camelCase). */
export function parseExtensionList(input: unknown, root = '$'): ExtensionListRequest {
  const p = parse(extensionListRequest, input, root);
  return {
    ...(p.uri_pattern?.trim() ? { uriPattern: p.uri_pattern.trim() } : {}),
    declaringAgents: p.declaring_agents ?? [],
    trustLevels: p.trust_levels ?? [],
    pageSize: p.page_size ?? DEFAULT_EXTENSION_PAGE_SIZE,
    ...(p.page_token ? { pageToken: p.page_token } : {}),
  };
}

/** Reads one extension's request: the URI (from the path or the params) and its agents' page. */
export function parseExtensionInfo(input: unknown, root = '$'): ExtensionInfoRequest {
  const p = parse(extensionInfoRequest, input, root);
  return { uri: p.uri, pageSize: p.page_size ?? DEFAULT_AGENT_PAGE_SIZE, ...(p.page_token ? { pageToken: p.page_token } : {}) };
}

/** Reads a trust level write: the URI and the level. */
export function parseTrustWrite(input: unknown, root = '$'): { uri: string; trustLevel: TrustLevel } {
  const p = parse(trustWriteRequest, input, root);
  return { uri: p.uri, trustLevel: p.trust_level };
}
