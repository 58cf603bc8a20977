import { z } from 'zod';
import {
  presentDeleted,
  presentHeartbeat,
  presentPage,
  presentRecord,
  presentSaved,
  type NamingStyle,
} from '../agents/agent-presenter.js';
import type { AgentService } from '../agents/agent-service.js';
import { receiveCard } from '../agents/card-envelope.js';
import { PARSE_OPTIONS, violationsOf } from '../agents/card/card-validation.js';
import { actorOf } from '../auth/auth-middleware.js';
import { ValidationError } from '../errors.js';
import { snakeCaseKeys } from '../snake-case-keys.js';
import { parseSearchCriteria } from '../search/search-criteria.js';
import type { SearchService } from '../search/search-service.js';
import type { HeartbeatService } from '../heartbeats/heartbeat-service.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import { parseRegisterFromUrl, registerFromUrl } from '../sources/register-from-url.js';
import { registryCard } from '../service-info/registry-card.js';
import type { CallContext, MethodHandler } from './jsonrpc-dispatcher.js';
import type { PageJsonCache } from '../agents/page-json-cache.js';

export interface RegistryMethodsDependencies {
  agents: AgentService;
  search: SearchService;
  heartbeats: HeartbeatService;
  fetcher: SafeFetcher;
  version: string;
  publicUrl: string;
  storeKind: string;
  /** Pages of agents already put together, shared with the REST door. */
  pages: PageJsonCache;
}


const agentId = z.string().min(1).max(200);
const revision = z.number().int().positive();

type ParamsReader<T extends z.ZodRawShape> = (params: Record<string, unknown>) => z.infer<z.ZodObject<T>>;

/**
 * A reader of named params in snake_case or camelCase (`agent_id` or `agentId`) against a strict
 * schema. Made once per shape, because zod compiles each object schema on its first use.
 */
function paramsReader<T extends z.ZodRawShape>(shape: T): ParamsReader<T> {
  const schema = z.strictObject(shape);
  return (params) => {
    const renamed = snakeCaseKeys(params);
    if ('id' in renamed && !('agent_id' in renamed) && 'agent_id' in shape) {
      renamed.agent_id = renamed.id;
      delete renamed.id;
    }
    const parsed = schema.safeParse(renamed, PARSE_OPTIONS);
    if (!parsed.success) throw new ValidationError('Invalid params', violationsOf(parsed.error, '$.params'));
    return parsed.data;
  };
}

const readNoParams = paramsReader({});
const readAgentRead = paramsReader({ agent_id: agentId, min_revision: revision.optional() });
const readAgentRef = paramsReader({ agent_id: agentId });
const readAgentDelete = paramsReader({ agent_id: agentId, expected_revision: revision.optional() });
const readRegister = paramsReader({
  agent_card: z.unknown(),
  agent_id: agentId.optional(),
  expected_revision: revision.optional(),
  heartbeat_ttl_seconds: z.unknown().optional(),
});

function registerHandler(agents: AgentService, style: NamingStyle): MethodHandler {
  return async (params, context: CallContext) => {
    const p = readRegister(params);
    if (p.agent_card === undefined) {
      throw new ValidationError('Invalid params', [{ path: '$.params.agent_card', message: 'is required' }]);
    }
    const received = receiveCard(params, context.rawText, context.paramsPath);
    const saved = await agents.register({
      actor: actorOf(context.principal),
      ...received,
      ...(p.agent_id !== undefined ? { id: p.agent_id } : {}),
      ...(p.expected_revision !== undefined ? { expectedRevision: p.expected_revision } : {}),
    });
    return presentSaved(saved, style);
  };
}

function registerUrlHandler(agents: AgentService, fetcher: SafeFetcher, style: NamingStyle): MethodHandler {
  return async (params, context) => {
    const request = parseRegisterFromUrl(params, '$.params');
    return presentSaved(await registerFromUrl(agents, fetcher, request, actorOf(context.principal)), style);
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
  return async (params, context) => {
    const p = readAgentDelete(params);
    return presentDeleted(p.agent_id, await agents.delete(p.agent_id, actorOf(context.principal), p.expected_revision), style);
  };
}

function searchHandler(search: SearchService, pages: PageJsonCache, style: NamingStyle): MethodHandler {
  return async (params) => {
    const criteria = parseSearchCriteria(params, '$.params');
    const page = await search.search(criteria);
    return presentPage(pages, page, style, { query: criteria.query ?? null, transport: 'JSONRPC' });
  };
}

/** The methods that change agents: they need credentials and count against the write budget. */
export const WRITE_METHODS: ReadonlySet<string> = new Set([
  'register_agent',
  'unregister_agent',
  'heartbeat_agent',
  'RegisterAgentCard',
  'DeleteAgentCard',
  'HeartbeatAgent',
  'register_agent_url',
  'RegisterAgentCardFromUrl',
]);

/** Every JSON-RPC method: the names of the earlier registry and their A2A 1.0 style aliases. */
export function registryMethods(deps: RegistryMethodsDependencies): Map<string, MethodHandler> {
  const { agents, search, pages } = deps;
  const methods = new Map<string, MethodHandler>([
    ['register_agent', registerHandler(agents, 'snake')],
    ['get_agent', getHandler(agents, 'snake')],
    ['list_agents', searchHandler(search, pages, 'snake')],
    ['search_agents', searchHandler(search, pages, 'snake')],
    ['unregister_agent', deleteHandler(agents, 'snake')],
    ['RegisterAgentCard', registerHandler(agents, 'camel')],
    ['GetAgentCard', getHandler(agents, 'camel')],
    ['ListAgentCards', searchHandler(search, pages, 'camel')],
    ['SearchAgentCards', searchHandler(search, pages, 'camel')],
    ['DeleteAgentCard', deleteHandler(agents, 'camel')],
    ['heartbeat_agent', heartbeatHandler(deps.heartbeats, 'snake')],
    ['register_agent_url', registerUrlHandler(agents, deps.fetcher, 'snake')],
    ['RegisterAgentCardFromUrl', registerUrlHandler(agents, deps.fetcher, 'camel')],
    ['HeartbeatAgent', heartbeatHandler(deps.heartbeats, 'camel')],
    [
      'get_agent_card',
      async (params) => {
        readNoParams(params);
        return { agent_card: registryCard(deps.publicUrl, deps.version) };
      },
    ],
    [
      'health_check',
      async (params) => {
        readNoParams(params);
        return {
          status: 'healthy',
          service: 'A2A Registry',
          version: deps.version,
          store: deps.storeKind,
          transport: 'JSONRPC',
          agents_count: await agents.count(),
        };
      },
    ],
  ]);
  methods.set('list_methods', async (params) => {
    readNoParams(params);
    return { methods: [...methods.keys()].sort() };
  });
  return methods;
}
