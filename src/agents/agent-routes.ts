import type { Request, RequestHandler, Response } from 'express';
import type { Charges } from '../rate-limit/rate-limiter.js';
import { listingRouter, type EndpointList, type Routes } from '../http/app.js';
import { actorOf } from '../auth/auth-middleware.js';
import { parseRequest } from '../validation.js';
import type { HeartbeatService } from './heartbeat-service.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import { parseRegisterFromUrl, registerFromUrl } from './register-from-url.js';
import { matchesIfNoneMatch, parseIfMatch } from '../http/conditional.js';
import { sendJson, sendJsonBytes } from '../http/send-json.js';
import type { PageJsonCache } from './page-json-cache.js';
import { parseSearchCriteria, SEARCH_PARAMETERS } from '../search/search-criteria.js';
import { listsEveryAgent, type SearchService } from '../search/search-service.js';
import { etagOf, type SaveResult } from '../store/agent-record.js';
import { presentCard, presentDeleted, presentHeartbeat, presentLifecycle, presentPage, presentPing, presentPrevious, presentRecord, presentSaved } from './agent-presenter.js';
import type { AgentPinger } from './agent-ping.js';
import type { AgentService } from './agent-service.js';
import { idempotentRequest } from './idempotency-key.js';
import { receiveCard } from './card-envelope.js';
import { agentRefRequest, deleteAgentRequest, lifecycleBody, readAgentRequest, registerAgentRequest, setAgentStatusRequest, setStatusCommandOf } from './agent-requests.js';

export interface AgentRoutesDependencies {
  agents: AgentService;
  search: SearchService;
  heartbeats: HeartbeatService;
  /** Fetches cards for `POST /agents/register-url`. */
  fetcher: SafeFetcher;
  /** Middleware that parses and checks a JSON body. */
  jsonBody: RequestHandler;
  /** `max-age` of the card endpoint, in seconds. */
  cardMaxAgeSeconds: number;
  /** Reads need credentials: cards may then be cached by the client only, not by shared caches. */
  readsRequireAuth: boolean;
  /** Pages of agents already put together, shared with the JSON-RPC door. */
  pages: PageJsonCache;
  /** The change log cursor a listing page carries (`change_cursor`), read before the page. */
  snapshotCursor: () => Promise<string>;
  pinger: AgentPinger;
}

/** A REST read (GET, and POST /agents/search) is one request of the read budget, other methods one of the write budget. */
export function restCharges(req: Request): Charges {
  if (req.path === '/jsonrpc') return {};
  return req.method === 'GET' || req.method === 'HEAD' || req.path === '/agents/search' ? { read: 1 } : { write: 1 };
}

/** The agent id in the path of `/agents/:id...` routes. */
const pathId = (req: Request): string => req.params.id as string;

/** A query or header value meant as a whole number: that number, or the value as sent for the schema to refuse. */
const wholeNumber = (value: unknown): unknown => (typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value);

/** `GET /agents/{id}` and its card: `min_revision` (query) or `X-Min-Revision` (header) is the oldest revision the client accepts. */
const readRequestOf = (req: Request) =>
  parseRequest(readAgentRequest, { agent_id: pathId(req), min_revision: wholeNumber(req.query.min_revision ?? req.get('x-min-revision')) });

const agentRefOf = (req: Request) => parseRequest(agentRefRequest, { agent_id: pathId(req) });

/**
 * The `Idempotency-Key` of a write, bound to what the request asks: its method, path, preconditions
 * and exact body.
 */
function idempotencyOf(req: Request) {
  const request = [req.method, req.path, req.get('if-match') ?? '', req.get('if-none-match') ?? '', req.rawBody ?? ''];
  return idempotentRequest(req.get('idempotency-key'), actorOf(req.principal), request, 'Idempotency-Key');
}

/**
 * The REST door: translates HTTP to the agent and search services and back, nothing more. Its
 * `endpoints` name every route it mounted, once mounted.
 */
export function agentRoutes(deps: AgentRoutesDependencies): Routes & { endpoints: EndpointList } {
  const endpoints: EndpointList = {};
  const { agents, search, heartbeats, fetcher, jsonBody, cardMaxAgeSeconds, readsRequireAuth, pages, snapshotCursor } = deps;
  const cardCacheControl = `${readsRequireAuth ? 'private' : 'public'}, max-age=${cardMaxAgeSeconds}`;
  const searchHandler = (source: (req: Request) => unknown) => async (req: Request, res: Response) => {
    const criteria = parseSearchCriteria(source(req));
    // A listing is a snapshot a mirror may follow from: its cursor is read first, so it misses nothing the page does not show.
    const changeCursor = listsEveryAgent(criteria) ? await snapshotCursor() : undefined;
    const page = await search.search(criteria);
    const extra = { query: criteria.query ?? null, ...(changeCursor !== undefined ? { change_cursor: changeCursor } : {}) };
    sendJsonBytes(res, 200, presentPage(pages, page, 'snake', extra).bytes);
  };

  const answerSaved = (res: Response, saved: SaveResult) => {
    res.set({ ETag: etagOf(saved.record), Location: `/agents/${encodeURIComponent(saved.record.id)}` });
    sendJson(res, saved.created ? 201 : 200, presentSaved(saved, 'snake'));
  };

  const register = (idOf: (req: Request) => string | undefined) => async (req: Request, res: Response) => {
    const received = receiveCard(req.body, req.rawBody);
    const p = parseRequest(registerAgentRequest, {
      agent_card: received.card,
      agent_id: idOf(req),
      expected_revision: parseIfMatch(req.get('if-match')),
      heartbeat_ttl_seconds: received.ttlSeconds,
      create_only: req.get('if-none-match')?.trim() === '*',
    });
    const saved = await agents.register({
      actor: actorOf(req.principal),
      ...received,
      ...(p.agent_id !== undefined ? { id: p.agent_id } : {}),
      ...(p.expected_revision !== undefined ? { expectedRevision: p.expected_revision } : {}),
      createOnly: p.create_only ?? false,
      idempotency: idempotencyOf(req),
    });
    answerSaved(res, saved);
  };

  const routes: Routes = (router) => {
    const mount = listingRouter(router, endpoints);
    mount.get('list', '/agents', searchHandler((req) => req.query));
    endpoints.list += `?${SEARCH_PARAMETERS.map((name) => `${name}=`).join('&')}`;
    mount.get('search_get', '/agents/search', searchHandler((req) => req.query));
    mount.post('search', '/agents/search', jsonBody, searchHandler((req) => req.body));
    mount.post('register', '/agents', jsonBody, register(() => undefined));
    mount.post('register_url', '/agents/register-url', jsonBody, async (req, res) => {
      const actor = actorOf(req.principal);
      answerSaved(res, await registerFromUrl(agents, fetcher, parseRegisterFromUrl(req.body), actor, idempotencyOf(req)));
    });
    mount.put('put', '/agents/:id', jsonBody, register(pathId));

    mount.post('heartbeat', '/agents/:id/heartbeat', async (req, res) => {
      const { agent_id } = agentRefOf(req);
      sendJson(res, 200, presentHeartbeat(agent_id, await heartbeats.heartbeat(agent_id, actorOf(req.principal)), 'snake'));
    });

    // A POST, though it changes nothing: it makes the registry fetch from the network, and so counts as a write.
    mount.post('ping', '/agents/:id/ping', async (req, res) => {
      sendJson(res, 200, presentPing(await deps.pinger.ping(agentRefOf(req).agent_id), 'snake'));
    });

    mount.get('get', '/agents/:id', async (req, res) => {
      const { agent_id, min_revision } = readRequestOf(req);
      const record = await agents.get(agent_id, min_revision);
      const etag = etagOf(record);
      res.set({ ETag: etag, 'Cache-Control': 'no-cache' });
      if (matchesIfNoneMatch(req.get('if-none-match'), etag)) return void res.status(304).end();
      sendJson(res, 200, presentRecord(record, 'snake'));
    });

    mount.get('card', '/agents/:id/card', async (req, res) => {
      const { agent_id, min_revision } = readRequestOf(req);
      const record = await agents.get(agent_id, min_revision);
      const etag = etagOf(record);
      res.set({ ETag: etag, 'Cache-Control': cardCacheControl });
      if (matchesIfNoneMatch(req.get('if-none-match'), etag)) return void res.status(304).end();
      sendJsonBytes(res, 200, presentCard(record));
    });

    mount.get('previous', '/agents/:id/previous', async (req, res) => {
      const { agent_id } = agentRefOf(req);
      sendJson(res, 200, presentPrevious(agent_id, await agents.previous(agent_id)));
    });

    mount.delete('unregister', '/agents/:id', async (req, res) => {
      const p = parseRequest(deleteAgentRequest, { agent_id: pathId(req), expected_revision: parseIfMatch(req.get('if-match')) });
      const revision = await agents.delete(p.agent_id, actorOf(req.principal), p.expected_revision, idempotencyOf(req));
      sendJson(res, 200, presentDeleted(p.agent_id, revision, 'snake'));
    });

    mount.patch('set_status', '/agents/:id', jsonBody, async (req, res) => {
      const body = parseRequest(lifecycleBody, req.body);
      const p = parseRequest(setAgentStatusRequest, { ...body, agent_id: pathId(req), expected_revision: parseIfMatch(req.get('if-match')) });
      const changed = await agents.setStatus(setStatusCommandOf(p, actorOf(req.principal), idempotencyOf(req)));
      if (changed.lifecycle) res.set({ ETag: etagOf(changed) });
      sendJson(res, 200, presentLifecycle(p.agent_id, changed, 'snake'));
    });

  };
  return Object.assign(routes, { endpoints });
}
