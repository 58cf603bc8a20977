import type { Request, RequestHandler, Response } from 'express';
import type { Routes } from '../http/app.js';
import { actorOf } from '../auth/auth-middleware.js';
import { ValidationError } from '../errors.js';
import type { HeartbeatService } from '../heartbeats/heartbeat-service.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import { parseRegisterFromUrl, registerFromUrl } from '../sources/register-from-url.js';
import { matchesIfNoneMatch, parseIfMatch } from '../http/conditional.js';
import { sendJson, sendJsonBytes } from '../http/send-json.js';
import type { PageJsonCache } from './page-json-cache.js';
import { parseSearchCriteria } from '../search/search-criteria.js';
import type { SearchService } from '../search/search-service.js';
import { RawJson } from '../http/json-text.js';
import { etagOf, type SaveResult } from '../store/agent-record.js';
import { presentCard, presentDeleted, presentHeartbeat, presentPage, presentRecord, presentSaved } from './agent-presenter.js';
import type { AgentService } from './agent-service.js';
import { receiveCard } from './card-envelope.js';

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
  /** Pages of agents already put together, shared with the JSON-RPC door. */
  pages: PageJsonCache;
}

/** `min_revision` (query) or `X-Min-Revision` (header): the oldest revision the client accepts. */
function minRevisionOf(req: Request): number | undefined {
  const value = req.query.min_revision ?? req.get('x-min-revision');
  if (value === undefined) return undefined;
  if (typeof value === 'string' && /^\d{1,15}$/.test(value)) return Number(value);
  throw new ValidationError('Invalid min_revision', [{ path: '$.min_revision', message: 'must be a whole number' }]);
}

/** The REST door: translates HTTP to the agent and search services and back, nothing more. */
export function agentRoutes(deps: AgentRoutesDependencies): Routes {
  const { agents, search, heartbeats, fetcher, jsonBody, cardMaxAgeSeconds, pages } = deps;
  const searchHandler = (source: (req: Request) => unknown) => async (req: Request, res: Response) => {
    const criteria = parseSearchCriteria(source(req));
    const page = await search.search(criteria);
    sendJsonBytes(res, 200, presentPage(pages, page, 'snake', { query: criteria.query ?? null }).bytes);
  };

  const answerSaved = (res: Response, saved: SaveResult) => {
    res.set({ ETag: etagOf(saved.record), Location: `/agents/${encodeURIComponent(saved.record.id)}` });
    sendJson(res, saved.created ? 201 : 200, presentSaved(saved, 'snake'));
  };

  const register = (idOf: (req: Request) => string | undefined) => async (req: Request, res: Response) => {
    const id = idOf(req);
    const expectedRevision = parseIfMatch(req.get('if-match'));
    const saved = await agents.register({
      actor: actorOf(req.principal),
      ...receiveCard(req.body, req.rawBody),
      ...(id !== undefined ? { id } : {}),
      ...(expectedRevision !== undefined ? { expectedRevision } : {}),
      createOnly: req.get('if-none-match')?.trim() === '*',
    });
    answerSaved(res, saved);
  };

  return (router) => {
    router.get('/agents', searchHandler((req) => req.query));
    router.get('/agents/search', searchHandler((req) => req.query));
    router.post('/agents/search', jsonBody, searchHandler((req) => req.body));
    router.post('/agents', jsonBody, register(() => undefined));
    router.post('/agents/register-url', jsonBody, async (req, res) => {
      const actor = actorOf(req.principal);
      answerSaved(res, await registerFromUrl(agents, fetcher, parseRegisterFromUrl(req.body), actor));
    });
    router.put('/agents/:id', jsonBody, register((req) => req.params.id as string));

    router.post('/agents/:id/heartbeat', async (req, res) => {
      const result = await heartbeats.heartbeat(req.params.id, actorOf(req.principal));
      sendJson(res, 200, presentHeartbeat(req.params.id, result, 'snake'));
    });

    router.get('/agents/:id', async (req, res) => {
      const record = await agents.get(req.params.id, minRevisionOf(req));
      const etag = etagOf(record);
      res.set({ ETag: etag, 'Cache-Control': 'no-cache' });
      if (matchesIfNoneMatch(req.get('if-none-match'), etag)) return void res.status(304).end();
      sendJson(res, 200, presentRecord(record, 'snake'));
    });

    router.get('/agents/:id/card', async (req, res) => {
      const record = await agents.get(req.params.id, minRevisionOf(req));
      const etag = etagOf(record);
      res.set({ ETag: etag, 'Cache-Control': `public, max-age=${cardMaxAgeSeconds}` });
      if (matchesIfNoneMatch(req.get('if-none-match'), etag)) return void res.status(304).end();
      sendJsonBytes(res, 200, presentCard(record));
    });

    router.get('/agents/:id/previous', async (req, res) => {
      const previous = await agents.previous(req.params.id);
      sendJson(res, 200, { agent_id: req.params.id, revision: previous.revision, agent_card: new RawJson(previous.card) });
    });

    router.delete('/agents/:id', async (req, res) => {
      const revision = await agents.delete(req.params.id, actorOf(req.principal), parseIfMatch(req.get('if-match')));
      sendJson(res, 200, presentDeleted(req.params.id, revision, 'snake'));
    });

  };
}
