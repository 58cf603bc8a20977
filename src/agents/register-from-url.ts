import { z } from 'zod';
import { MAX_AGENT_ID_LENGTH } from './agent-id.js';
import type { AgentService } from './agent-service.js';
import { heartbeatTtlSchema } from './card-envelope.js';
import type { IdempotentRequest } from './idempotency-key.js';
import type { NamingStyle } from './agent-presenter.js';
import { ValidationError } from '../errors.js';
import { parseRequest } from '../validation.js';
import { snakeCaseKeys } from '../snake-case-keys.js';
import { OutboundFetchError } from '../outbound/outbound-errors.js';
import { canFallBack, type FetchedJson, type SafeFetcher } from '../outbound/safe-fetch.js';
import type { Actor, SaveResult } from '../store/agent-record.js';

/** `POST /agents/register-url` and `register_agent_url`, once camelCase names are read as snake_case. */
export const registerFromUrlSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  agent_id: z.string().min(1).max(MAX_AGENT_ID_LENGTH).optional(),
  heartbeat_ttl_seconds: heartbeatTtlSchema.optional(),
});

/** What `POST /agents/register-url` and `register_agent_url` ask for. */
export type RegisterFromUrlRequest = z.infer<typeof registerFromUrlSchema>;

/** The answer of a catalog's ingest, in the naming style of the door that asked. */
export type CatalogAnswer = (style: NamingStyle) => Record<string, unknown>;

/** What register-by-URL did: registered one card (the answer old clients know), or ingested a catalog. */
export type RegisterFromUrlOutcome = { kind: 'card'; saved: SaveResult } | { kind: 'catalog'; answer: CatalogAnswer };

/**
 * Where register-by-URL hands an AI Catalog: the catalog ingest feature (`src/catalog-ingest/`), which knows
 * the format and registers each entry through the agent service.
 */
export interface CatalogIngester {
  /** The catalog `fetched` holds, or undefined when it is none; throws when it is served as a catalog but is not one. */
  catalogIn(fetched: FetchedJson, url: string): object | undefined;
  /** Ingests `catalog`, fetched from `url` (`finalUrl` after redirects), for `actor`. */
  ingest(url: string, catalog: object, actor: Actor, options: { finalUrl: string; ttlSeconds?: number }): Promise<CatalogAnswer>;
}

/** What register-by-URL works with. */
export interface RegisterFromUrlDeps {
  agents: AgentService;
  fetcher: SafeFetcher;
  catalogs: CatalogIngester;
}

/**
 * Where a publisher's origin lists its agents, in the order they are tried: the ARD manifest
 * (which consumers must try first), then the AI Catalog it succeeds; then its single agent card.
 */
const WELL_KNOWN_CATALOGS = ['/.well-known/ard.json', '/.well-known/ai-catalog.json'] as const;
const WELL_KNOWN_CARD = '/.well-known/agent-card.json';

/** Reads the request in snake_case or camelCase, listing every problem. */
export function parseRegisterFromUrl(input: unknown, root = '$'): RegisterFromUrlRequest {
  const renamed =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? snakeCaseKeys(input as Record<string, unknown>)
      : input;
  return parseRequest(registerFromUrlSchema, renamed, root, 'Invalid register-by-URL request');
}

/**
 * Registers what the URL names, fetched through the SSRF-safe fetcher: for a publisher's origin
 * its ARD manifest, else its AI Catalog, else its well-known card; for a JSON document the catalog
 * or card it is; otherwise its origin's well-known card. A card is registered as the exact bytes
 * fetched, remembering where they came from; a catalog's A2A entries are ingested.
 */
export async function registerFromUrl(
  deps: RegisterFromUrlDeps,
  request: RegisterFromUrlRequest,
  actor: Actor,
  idempotency?: IdempotentRequest,
): Promise<RegisterFromUrlOutcome> {
  const { agents, fetcher } = deps;
  // A retry of a registration that went through fetches nothing again.
  const saved = await agents.savedBefore(idempotency);
  if (saved) return { kind: 'card', saved };
  if (request.agent_id !== undefined) await agents.assertMayWrite(request.agent_id, actor);
  const found = await findCatalogOrCard(deps, request.url);
  if (found?.catalog) {
    if (request.agent_id !== undefined) {
      throw new ValidationError('Invalid register-by-URL request', [
        { path: '$.agent_id', message: "names one agent; a catalog's entries take their ids from their identifiers" },
      ]);
    }
    const options = { finalUrl: found.fetched.url, ...(request.heartbeat_ttl_seconds !== undefined ? { ttlSeconds: request.heartbeat_ttl_seconds } : {}) };
    return { kind: 'catalog', answer: await deps.catalogs.ingest(found.url, found.catalog, actor, options) };
  }
  const card = found ? { ...found.fetched, sourceUrl: found.url } : await fetcher.fetchAgentCard(request.url);
  const result = await agents.register({
    card: card.json,
    cardJson: card.text,
    actor,
    sourceUrl: card.sourceUrl,
    ...(idempotency ? { idempotency } : {}),
    ...(request.agent_id !== undefined ? { id: request.agent_id } : {}),
    ...(request.heartbeat_ttl_seconds !== undefined ? { ttlSeconds: request.heartbeat_ttl_seconds } : {}),
  });
  return { kind: 'card', saved: result };
}

/** A document found at or for a URL: a catalog, or (for a URL naming a JSON document) what may be a card. */
interface Found {
  url: string;
  fetched: FetchedJson;
  catalog?: object;
}

/**
 * For an origin (no path), its first well-known catalog that answers one; for a JSON document
 * other than the well-known card, the document itself. Undefined: fetch the card the old way.
 */
async function findCatalogOrCard({ fetcher, catalogs }: RegisterFromUrlDeps, raw: string): Promise<Found | undefined> {
  const url = parsedUrl(raw);
  if (!url) return undefined;
  const path = url.pathname.toLowerCase();
  if (path.endsWith('.json') && path !== WELL_KNOWN_CARD) {
    const fetched = await fetcher.fetchCatalogAt(url.href);
    const catalog = catalogs.catalogIn(fetched, url.href);
    return { url: url.href, fetched, ...(catalog ? { catalog } : {}) };
  }
  if (path !== '/' || url.search !== '') return undefined;
  for (const wellKnown of WELL_KNOWN_CATALOGS) {
    const location = new URL(wellKnown, url.origin).href;
    const fetched = await fetcher.fetchCatalogAt(location).catch((error: unknown) => {
      // The origin answered, but not with this document: the next location may be there.
      if (error instanceof OutboundFetchError && canFallBack(error)) return undefined;
      throw error;
    });
    const catalog = fetched && catalogOrNothing(catalogs, fetched, location);
    if (fetched && catalog) return { url: location, fetched, catalog };
  }
  return undefined;
}

/** A well-known location that answers something other than a catalog is passed over, like one that answers nothing. */
function catalogOrNothing(catalogs: CatalogIngester, fetched: FetchedJson, url: string): object | undefined {
  try {
    return catalogs.catalogIn(fetched, url);
  } catch {
    return undefined;
  }
}

function parsedUrl(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}
