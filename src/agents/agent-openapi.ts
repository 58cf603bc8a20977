import { z } from 'zod';
import { API_ERRORS, BODY_ERRORS, errorResponses, type ApiOperation, type ApiParameter, type ApiResponse } from '../http/api-description.js';
import { named } from '../http/named-schemas.js';
import { SEARCH_PARAMETERS, searchParametersSchema } from '../search/search-criteria.js';
import { agentRefRequest, lifecycleBody, readAgentRequest } from './agent-requests.js';
import {
  agentCardSchema,
  agentDeletedResponse,
  agentPageResponse,
  agentRecordResponse,
  agentSavedResponse,
  heartbeatResponse,
  lifecycleResponse,
  pingResponse,
  previousCardResponse,
} from './agent-responses.js';
import { registrationBodySchema } from './card-envelope.js';
import { idempotencyKeySchema } from './idempotency-key.js';
import { registerFromUrlSchema } from './register-from-url.js';
import { catalogIngestResponse } from './catalog-ingest-responses.js';

// The agent operations of the REST door (agent-routes.ts), for the API document.

const TAG = 'agents';

const agentId: ApiParameter = { name: 'id', in: 'path', description: 'The agent id (compared without case)', schema: agentRefRequest.shape.agent_id };

const minRevision: ApiParameter[] = [
  { name: 'min_revision', in: 'query', description: 'The oldest revision the client accepts (read-your-writes across replicas)', schema: readAgentRequest.shape.min_revision },
  { name: 'X-Min-Revision', in: 'header', description: 'As `min_revision`', schema: readAgentRequest.shape.min_revision },
  { name: 'If-None-Match', in: 'header', description: 'The entity tag the client holds: 304 while it is current', schema: z.string() },
];

const ifMatch: ApiParameter = {
  name: 'If-Match',
  in: 'header',
  description: '`*` or entity tags (`"12"`): the write happens only while the agent is at one of them, else 412',
  schema: z.string(),
};

const idempotencyKey: ApiParameter = {
  name: 'Idempotency-Key',
  in: 'header',
  description: 'A key of the client\'s choosing: the same write sent again with it answers the first outcome instead of writing twice',
  schema: idempotencyKeySchema,
};

const registerHeaders: ApiParameter[] = [
  ifMatch,
  { name: 'If-None-Match', in: 'header', description: '`*`: create only (409 when the agent exists)', schema: z.literal('*') },
  idempotencyKey,
];

/** What each search parameter asks, by the name it is documented by; every filter must hold. */
const SEARCH_MEANINGS: Record<string, string> = {
  skill: 'Agents with a skill of this id',
  tag: 'Agents with a skill tagged so',
  input_mode: 'Agents that take this media type',
  output_mode: 'Agents that answer this media type',
  binding: 'Agents with an interface of this protocol binding (JSONRPC, GRPC, HTTP+JSON)',
  provider: 'Agents of this provider organization',
  extension: 'Agents that declare this extension URI',
  signature_status: 'Agents whose card signature is verified, invalid or unsigned',
  probe_status: "Agents whose last probe found this status (ok, degraded, unreachable, refused, invalid, timeout, blocked, opted_out)",
  streaming: 'Agents that do (true) or do not (false) stream',
  push_notifications: 'Agents that do (true) or do not (false) send push notifications',
  include_inactive: 'Also agents whose heartbeats stopped (default false)',
  include_deleted: 'With `updated_since`: also the tombstones of agents deleted since, in `deleted` (default false)',
  updated_since: 'Agents whose last change is at or after this RFC 3339 time, in the order of the changes (not with search filters or `q`)',
  q: 'Free text: every word must match a word of the card, or begin one',
  limit: 'Agents in one page (default 50)',
  cursor: 'The `next_cursor` of the page before',
  search_mode: 'Only `keyword` is served',
};

const SPELLINGS = 'Its other spellings (plural, camelCase) are read alike; a list is comma-separated or repeated.';

const searchQuery: ApiParameter[] = SEARCH_PARAMETERS.map((name) => ({
  name,
  in: 'query',
  description: `${SEARCH_MEANINGS[name] ?? 'A search parameter'}. ${SPELLINGS}`,
  schema: searchParametersSchema.shape[name] as z.ZodType,
}));

/** The search body: the door's own parameters, of which it refuses any other (listing each, beside the schema's violations). */
const searchBody = named('SearchParameters', z.strictObject(searchParametersSchema.shape));

const ETAG_HEADERS = { ETag: 'The entity tag of the revision answered' };
const SAVED_HEADERS = { ...ETAG_HEADERS, Location: 'The agent\'s URL' };

const page: ApiResponse = { description: 'A page of agents, and the cursor of the next', schema: agentPageResponse };

const saved = (created: boolean): ApiResponse => ({
  description: created ? 'The agent was registered' : 'The agent was updated (or the idempotent write answered again)',
  schema: agentSavedResponse,
  headers: SAVED_HEADERS,
});

const registerResponses = {
  200: saved(false),
  201: saved(true),
  ...errorResponses(...BODY_ERRORS, 403, 409, 412, 422, ...API_ERRORS),
};

export const agentOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/agents',
    operationId: 'listAgents',
    summary: 'List or filter agents',
    tag: TAG,
    access: 'read',
    parameters: searchQuery,
    responses: { 200: page, ...errorResponses(400, ...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/agents/search',
    operationId: 'searchAgentsByQuery',
    summary: 'Search agents (parameters in the query)',
    tag: TAG,
    access: 'read',
    parameters: searchQuery,
    responses: { 200: page, ...errorResponses(400, ...API_ERRORS) },
  },
  {
    method: 'post',
    path: '/agents/search',
    operationId: 'searchAgents',
    summary: 'Search agents (parameters in the body)',
    tag: TAG,
    access: 'read',
    requestBody: { description: 'Search parameters, as in the query', schema: searchBody },
    responses: { 200: page, ...errorResponses(...BODY_ERRORS, ...API_ERRORS) },
  },
  {
    method: 'post',
    path: '/agents',
    operationId: 'registerAgent',
    summary: 'Register an agent card (its id derived from its name)',
    tag: TAG,
    access: 'write',
    parameters: registerHeaders,
    requestBody: { description: 'The card, or `{"agent_card": card, "heartbeat_ttl_seconds": n}`', schema: registrationBodySchema },
    responses: registerResponses,
  },
  {
    method: 'post',
    path: '/agents/register-url',
    operationId: 'registerAgentFromUrl',
    summary: 'Register the card a URL serves, or every A2A entry of the AI Catalog it serves (fetched by the registry)',
    description:
      'For a publisher origin the registry reads `/.well-known/ard.json`, then `/.well-known/ai-catalog.json`, then the well-known agent card; ' +
      'a URL of a JSON document is read as the catalog or card it is. A card answers the saved agent (201 or 200); a catalog answers 200 ' +
      'with every entry\'s outcome and the totals.',
    tag: TAG,
    access: 'write',
    parameters: [idempotencyKey],
    requestBody: { description: 'Where the card or catalog is (camelCase names are read too)', schema: named('RegisterFromUrl', registerFromUrlSchema) },
    responses: {
      200: { description: 'The agent was updated (or the idempotent write answered again), or the catalog was ingested', schema: z.union([agentSavedResponse, catalogIngestResponse]) },
      201: saved(true),
      ...errorResponses(...BODY_ERRORS, 403, 409, 422, 502, 504, ...API_ERRORS),
    },
  },
  {
    method: 'put',
    path: '/agents/{id}',
    operationId: 'putAgent',
    summary: 'Register or update the agent with this id',
    tag: TAG,
    access: 'write',
    parameters: [agentId, ...registerHeaders],
    requestBody: { description: 'The card, or `{"agent_card": card, "heartbeat_ttl_seconds": n}`', schema: registrationBodySchema },
    responses: registerResponses,
  },
  {
    method: 'post',
    path: '/agents/{id}/heartbeat',
    operationId: 'heartbeatAgent',
    summary: 'Report the agent alive (reactivates it)',
    tag: TAG,
    access: 'write',
    parameters: [agentId],
    responses: { 200: { description: 'The heartbeat was recorded', schema: heartbeatResponse }, ...errorResponses(400, 403, 404, ...API_ERRORS) },
  },
  {
    method: 'post',
    path: '/agents/{id}/ping',
    operationId: 'pingAgent',
    summary: 'Fetch the agent\'s card now and compare it with the stored one (changes nothing)',
    tag: TAG,
    access: 'write',
    parameters: [agentId],
    responses: { 200: { description: 'What the fetch found, reachable or not', schema: pingResponse }, ...errorResponses(400, 404, ...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/agents/{id}',
    operationId: 'getAgent',
    summary: 'Read an agent: its card and the registry\'s data',
    tag: TAG,
    access: 'read',
    parameters: [agentId, ...minRevision],
    responses: {
      200: { description: 'The agent', schema: agentRecordResponse, headers: ETAG_HEADERS },
      304: { description: 'The revision the client holds is current', headers: ETAG_HEADERS },
      ...errorResponses(400, 404, 412, ...API_ERRORS),
    },
  },
  {
    method: 'get',
    path: '/agents/{id}/card',
    operationId: 'getAgentCard',
    summary: 'Read an agent\'s card, byte for byte as registered',
    tag: TAG,
    access: 'read',
    parameters: [agentId, ...minRevision],
    responses: {
      200: { description: 'The card', schema: agentCardSchema, headers: { ...ETAG_HEADERS, 'Cache-Control': 'How long clients may keep it' } },
      304: { description: 'The revision the client holds is current', headers: ETAG_HEADERS },
      ...errorResponses(400, 404, 412, ...API_ERRORS),
    },
  },
  {
    method: 'get',
    path: '/agents/{id}/previous',
    operationId: 'getPreviousCard',
    summary: 'The card before the last change of an agent registered by URL',
    tag: TAG,
    access: 'read',
    parameters: [agentId],
    responses: { 200: { description: 'The previous card', schema: previousCardResponse }, ...errorResponses(400, 404, ...API_ERRORS) },
  },
  {
    method: 'patch',
    path: '/agents/{id}',
    operationId: 'setAgentStatus',
    summary: 'Set the lifecycle its owner gives an agent: active, deprecated, or deleted (as DELETE)',
    tag: TAG,
    access: 'write',
    parameters: [agentId, ifMatch, idempotencyKey],
    requestBody: { description: 'The lifecycle status, and a message for readers', schema: named('LifecycleChange', lifecycleBody) },
    responses: {
      200: { description: 'The lifecycle was set, or the agent deleted', schema: lifecycleResponse, headers: ETAG_HEADERS },
      ...errorResponses(...BODY_ERRORS, 403, 404, 412, 422, ...API_ERRORS),
    },
  },
  {
    method: 'delete',
    path: '/agents/{id}',
    operationId: 'unregisterAgent',
    summary: 'Delete an agent',
    tag: TAG,
    access: 'write',
    parameters: [agentId, ifMatch, idempotencyKey],
    responses: { 200: { description: 'The agent was deleted', schema: agentDeletedResponse }, ...errorResponses(400, 403, 404, 412, 422, ...API_ERRORS) },
  },
];
