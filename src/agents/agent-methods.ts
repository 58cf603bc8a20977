import type { Request } from 'express';
import { actorOf } from '../auth/auth-middleware.js';
import type { HeartbeatService } from './heartbeat-service.js';
import type { CallContext, MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import { paramsReader } from '../jsonrpc/params-reader.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { Charges } from '../rate-limit/rate-limiter.js';
import { parseSearchCriteria } from '../search/search-criteria.js';
import type { SearchService } from '../search/search-service.js';
import { agentRefRequest, deleteAgentRequest, readAgentRequest, registerAgentRequest, setAgentStatusRequest, setStatusCommandOf } from './agent-requests.js';
import { presentDeleted, presentHeartbeat, presentLifecycle, presentPage, presentPing, presentRecord, presentSaved, type NamingStyle } from './agent-presenter.js';
import type { AgentPinger } from './agent-ping.js';
import type { AgentService } from './agent-service.js';
import { receiveCard } from './card-envelope.js';
import { idempotentRequest } from './idempotency-key.js';
import type { PageJsonCache } from './page-json-cache.js';
import { parseRegisterFromUrl, registerFromUrl, type CatalogIngester, type RegisterFromUrlDeps } from './register-from-url.js';

export interface AgentMethodsDependencies {
  agents: AgentService;
  search: SearchService;
  heartbeats: HeartbeatService;
  fetcher: SafeFetcher;
  /** Ingests the AI Catalogs `register_agent_url` finds. */
  catalogs: CatalogIngester;
  /** Pages of agents already put together, shared with the REST door. */
  pages: PageJsonCache;
  pinger: AgentPinger;
}


const readAgentRead = paramsReader(readAgentRequest);
const readAgentRef = paramsReader(agentRefRequest);
const readAgentDelete = paramsReader(deleteAgentRequest);
const readRegister = paramsReader(registerAgentRequest);
const readSetStatus = paramsReader(setAgentStatusRequest);

/**
 * A write call's params without its `idempotency_key` (or `idempotencyKey`), and that key bound to
 * the call: the operation and the rest of its params.
 */
function idempotentCall(operation: string, all: Record<string, unknown>, context: CallContext) {
  const { idempotency_key: snake, idempotencyKey: camel, ...params } = all;
  const request = [operation, JSON.stringify(params)];
  const at = `$.params.${snake === undefined && camel !== undefined ? 'idempotencyKey' : 'idempotency_key'}`;
  return { params, idempotency: idempotentRequest(snake ?? camel, actorOf(context.principal), request, at) };
}

function registerHandler(agents: AgentService, style: NamingStyle): MethodHandler {
  return async (all, context: CallContext) => {
    const { params, idempotency } = idempotentCall('register', all, context);
    const p = readRegister(params);
    const received = receiveCard(params, context.rawText, context.paramsPath);
    const saved = await agents.register({
      actor: actorOf(context.principal),
      ...received,
      ...(p.agent_id !== undefined ? { id: p.agent_id } : {}),
      ...(p.expected_revision !== undefined ? { expectedRevision: p.expected_revision } : {}),
      ...(p.create_only !== undefined ? { createOnly: p.create_only } : {}),
      ...(idempotency ? { idempotency } : {}),
    });
    return presentSaved(saved, style);
  };
}

function registerUrlHandler(deps: RegisterFromUrlDeps, style: NamingStyle): MethodHandler {
  return async (all, context) => {
    const { params, idempotency } = idempotentCall('register_url', all, context);
    const request = parseRegisterFromUrl(params, '$.params');
    const outcome = await registerFromUrl(deps, request, actorOf(context.principal), idempotency);
    return outcome.kind === 'card' ? presentSaved(outcome.saved, style) : outcome.answer(style);
  };
}

function getHandler(agents: AgentService, style: NamingStyle): MethodHandler {
  return async (params) => {
    const p = readAgentRead(params);
    return presentRecord(await agents.get(p.agent_id, p.min_revision), style);
  };
}

function heartbeatHandler(heartbeats: HeartbeatService, style: NamingStyle): MethodHandler {
  return async (params, context) => {
    const p = readAgentRef(params);
    return presentHeartbeat(p.agent_id, await heartbeats.heartbeat(p.agent_id, actorOf(context.principal)), style);
  };
}

function deleteHandler(agents: AgentService, style: NamingStyle): MethodHandler {
  return async (all, context) => {
    const { params, idempotency } = idempotentCall('delete', all, context);
    const p = readAgentDelete(params);
    const revision = await agents.delete(p.agent_id, actorOf(context.principal), p.expected_revision, idempotency);
    return presentDeleted(p.agent_id, revision, style);
  };
}

function setStatusHandler(agents: AgentService): MethodHandler {
  return async (all, context) => {
    const { params, idempotency } = idempotentCall('set_status', all, context);
    const p = readSetStatus(params);
    const changed = await agents.setStatus(setStatusCommandOf(p, actorOf(context.principal), idempotency));
    return presentLifecycle(p.agent_id, changed, 'snake');
  };
}

function searchHandler(search: SearchService, pages: PageJsonCache, style: NamingStyle): MethodHandler {
  return async (params, context) => {
    const criteria = parseSearchCriteria(params, '$.params');
    const page = await search.search(criteria, context.responseBytes);
    return presentPage(pages, page, style, { query: criteria.query ?? null, transport: 'JSONRPC' });
  };
}

/**
 * The methods that change agents (they need credentials) or reach out to the network as
 * register-by-URL does (`ping_agent`): they count against the write budget.
 */
export const WRITE_METHODS: ReadonlySet<string> = new Set([
  'ping_agent',
  'register_agent',
  'unregister_agent',
  'set_agent_status',
  'heartbeat_agent',
  'RegisterAgentCard',
  'DeleteAgentCard',
  'HeartbeatAgent',
  'register_agent_url',
  'RegisterAgentCardFromUrl',
]);

/**
 * Each call of a JSON-RPC request (a batch holds several) is one request: of the write budget when
 * it is one of `writeMethods` (every feature's methods that change something).
 */
export function jsonRpcCharges(writeMethods: ReadonlySet<string>): (req: Request) => Charges {
  return (req) => {
    const calls: unknown[] = Array.isArray(req.body) ? req.body : [req.body];
    const write = calls.filter((call) => writeMethods.has(String((call as { method?: unknown } | null)?.method))).length;
    return { write, read: calls.length - write };
  };
}

/** The agent methods: the names of the earlier registry and their A2A 1.0 style aliases. */
export function agentMethods(deps: AgentMethodsDependencies): Map<string, MethodHandler> {
  const { agents, search, pages } = deps;
  return new Map<string, MethodHandler>([
    ['register_agent', registerHandler(agents, 'snake')],
    ['get_agent', getHandler(agents, 'snake')],
    ['list_agents', searchHandler(search, pages, 'snake')],
    ['search_agents', searchHandler(search, pages, 'snake')],
    ['unregister_agent', deleteHandler(agents, 'snake')],
    ['set_agent_status', setStatusHandler(agents)],
    ['RegisterAgentCard', registerHandler(agents, 'camel')],
    ['GetAgentCard', getHandler(agents, 'camel')],
    ['ListAgentCards', searchHandler(search, pages, 'camel')],
    ['SearchAgentCards', searchHandler(search, pages, 'camel')],
    ['DeleteAgentCard', deleteHandler(agents, 'camel')],
    ['heartbeat_agent', heartbeatHandler(deps.heartbeats, 'snake')],
    ['register_agent_url', registerUrlHandler(deps, 'snake')],
    ['RegisterAgentCardFromUrl', registerUrlHandler(deps, 'camel')],
    ['HeartbeatAgent', heartbeatHandler(deps.heartbeats, 'camel')],
    [
      'ping_agent',
      async (params) => {
        const p = readAgentRef(params);
        return presentPing(await deps.pinger.ping(p.agent_id), 'snake');
      },
    ],
  ]);
}
