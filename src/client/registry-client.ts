import { randomUUID } from 'node:crypto';
import { HttpTransport } from './http-transport.js';
import { watchChanges, type WatchOptions } from './change-watch.js';
import { changeParameters, ifMatch, queryString, searchParameters, type ChangesQuery, type SearchCriteria } from './client-requests.js';
import type { AgentPage, AgentRecord, ChangeEvent, ChangePage, DeletedAgent, HeartbeatResult, SavedAgent } from './wire-types.js';

export interface RegistryClientOptions {
  /** The registry's address, such as `http://127.0.0.1:8000`. */
  baseUrl: string;
  /** An API key, sent as `X-API-Key`. @defaultValue none */
  apiKey?: string;
  /** A bearer token (a JWT, or an API key), sent as `Authorization: Bearer`. @defaultValue none */
  bearerToken?: string;
  /** How long one attempt may take, answer body included, in ms. @defaultValue 10000 */
  timeoutMs?: number;
  /** Retries after a first attempt that got no answer, a 503 or (writes only) a 429. @defaultValue 3 */
  retries?: number;
  /** The first backoff between attempts, doubled at each retry, in ms. @defaultValue 200 */
  retryDelayMs?: number;
  /** The longest wait between attempts, `Retry-After` included, in ms. @defaultValue 10000 */
  maxRetryDelayMs?: number;
  /** The fetch function to send requests with. @defaultValue globalThis.fetch */
  fetch?: typeof fetch;
}

/** Options of every write. */
export interface WriteOptions {
  /**
   * Sent as `Idempotency-Key` with every attempt of this write, so that a retry gets the first
   * attempt's outcome. @defaultValue a new `crypto.randomUUID()` per call
   */
  idempotencyKey?: string;
}

export interface RegisterOptions extends WriteOptions {
  /** Store the agent under this id (`PUT /agents/{id}`). @defaultValue derived from the card's name */
  agentId?: string;
  /** The agent turns inactive unless it sends a heartbeat within this many seconds. @defaultValue the registry's */
  heartbeatTtlSeconds?: number;
  /** Write only over this revision (`If-Match`); `*`: only over an existing agent. @defaultValue any */
  expectedRevision?: number | '*';
  /** Write only when the agent does not exist yet (`If-None-Match: *`). @defaultValue false */
  createOnly?: boolean;
}

export interface DeleteOptions extends WriteOptions {
  /** Delete only this revision (`If-Match`). @defaultValue any */
  expectedRevision?: number | '*';
}

/**
 * A client of the registry's REST API. Every method answers the registry's JSON (typed in
 * `wire-types.ts`) or throws a RegistryError. Writes carry an idempotency key and are retried with
 * it after no answer, a 503 or a 429; reads are retried after no answer or a 503.
 */
export class RegistryClient {
  private readonly transport: HttpTransport;
  private readonly settings: { retries: number; retryDelayMs: number; maxRetryDelayMs: number; timeoutMs: number };

  constructor(options: RegistryClientOptions) {
    this.settings = {
      retries: options.retries ?? 3,
      retryDelayMs: options.retryDelayMs ?? 200,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 10_000,
      timeoutMs: options.timeoutMs ?? 10_000,
    };
    const headers: Record<string, string> = {
      ...(options.apiKey !== undefined ? { 'x-api-key': options.apiKey } : {}),
      ...(options.bearerToken !== undefined ? { authorization: `Bearer ${options.bearerToken}` } : {}),
    };
    this.transport = new HttpTransport({
      ...this.settings,
      baseUrl: options.baseUrl.replace(/\/+$/, ''),
      headers,
      fetch: options.fetch ?? globalThis.fetch,
    });
  }

  /**
   * Registers a card (any JSON object: an A2A SDK `AgentCard` works), or writes a new revision of
   * the agent it names.
   */
  register(card: object, options: RegisterOptions = {}): Promise<SavedAgent> {
    const { agentId, heartbeatTtlSeconds, expectedRevision, createOnly, idempotencyKey } = options;
    return this.transport.call<SavedAgent>({
      method: agentId === undefined ? 'POST' : 'PUT',
      path: agentId === undefined ? '/agents' : `/agents/${encodeURIComponent(agentId)}`,
      body: { agent_card: card, ...(heartbeatTtlSeconds !== undefined ? { heartbeat_ttl_seconds: heartbeatTtlSeconds } : {}) },
      headers: {
        'idempotency-key': idempotencyKey ?? randomUUID(),
        ...(expectedRevision !== undefined ? { 'if-match': ifMatch(expectedRevision) } : {}),
        ...(createOnly ? { 'if-none-match': '*' } : {}),
      },
      kind: 'write',
    });
  }

  /** Writes a new card for an existing agent: 412 `precondition_failed` when there is none (or not at `expectedRevision`). */
  update(agentId: string, card: object, options: Omit<RegisterOptions, 'agentId' | 'createOnly'> = {}): Promise<SavedAgent> {
    return this.register(card, { ...options, agentId, expectedRevision: options.expectedRevision ?? '*' });
  }

  /** An agent and its card; with `minRevision`, revision `minRevision` or newer (412 while the registry has none so new). */
  get(agentId: string, options: { minRevision?: number } = {}): Promise<AgentRecord> {
    const query = queryString({ min_revision: options.minRevision });
    return this.transport.call<AgentRecord>({ method: 'GET', path: `/agents/${encodeURIComponent(agentId)}${query}`, kind: 'read' });
  }

  delete(agentId: string, options: DeleteOptions = {}): Promise<DeletedAgent> {
    return this.transport.call<DeletedAgent>({
      method: 'DELETE',
      path: `/agents/${encodeURIComponent(agentId)}`,
      headers: {
        'idempotency-key': options.idempotencyKey ?? randomUUID(),
        ...(options.expectedRevision !== undefined ? { 'if-match': ifMatch(options.expectedRevision) } : {}),
      },
      kind: 'write',
    });
  }

  /**
   * Keeps an agent active for its TTL. Retried like a write, but without a key: a repeated
   * heartbeat only moves the deadline again.
   */
  heartbeat(agentId: string): Promise<HeartbeatResult> {
    return this.transport.call<HeartbeatResult>({ method: 'POST', path: `/agents/${encodeURIComponent(agentId)}/heartbeat`, kind: 'write' });
  }

  /** A page of the agents that match, best first (`POST /agents/search`). */
  search(criteria: SearchCriteria = {}): Promise<AgentPage> {
    return this.transport.call<AgentPage>({ method: 'POST', path: '/agents/search', body: searchParameters(criteria), kind: 'read' });
  }

  /** Every page of a search, following `next_cursor` from `criteria.cursor` (or the start) to the end. */
  searchPages(criteria: SearchCriteria = {}): AsyncGenerator<AgentPage> {
    return this.pages((cursor) => this.search({ ...criteria, ...(cursor !== undefined ? { cursor } : {}) }), criteria.cursor);
  }

  /** A page of agents ordered by id (`GET /agents`); without filters it carries `change_cursor`. */
  list(criteria: Omit<SearchCriteria, 'query'> = {}): Promise<AgentPage> {
    return this.transport.call<AgentPage>({ method: 'GET', path: `/agents${queryString(searchParameters(criteria))}`, kind: 'read' });
  }

  /** Every page of a listing, following `next_cursor` to the end. */
  listPages(criteria: Omit<SearchCriteria, 'query'> = {}): AsyncGenerator<AgentPage> {
    return this.pages((cursor) => this.list({ ...criteria, ...(cursor !== undefined ? { cursor } : {}) }), criteria.cursor);
  }

  /** A page of the change log (`GET /changes`); 410 `changes_gone` when `since` is no longer kept. */
  changes(query: ChangesQuery = {}): Promise<ChangePage> {
    const params = { since: query.since, limit: query.limit, ...changeParameters(query) };
    return this.transport.call<ChangePage>({ method: 'GET', path: `/changes${queryString(params)}`, kind: 'read' });
  }

  /**
   * Follows the change log as it grows (`GET /changes/stream`), from after `since` (else the oldest
   * event kept), reconnecting after a dropped connection where it left off; ends when `signal` aborts.
   */
  watch(options: WatchOptions = {}): AsyncGenerator<ChangeEvent> {
    return watchChanges(this.transport, this.settings, options);
  }

  private async *pages(read: (cursor: string | undefined) => Promise<AgentPage>, start: string | undefined): AsyncGenerator<AgentPage> {
    let cursor = start;
    do {
      const page = await read(cursor);
      yield page;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }
}
