import { z } from 'zod';
import { MAX_STATUS_MESSAGE_LENGTH, type Actor } from '../store/agent-record.js';
import type { SetStatusCommand } from './agent-service.js';
import type { IdempotentRequest } from './idempotency-key.js';
import { MAX_AGENT_ID_LENGTH } from './agent-id.js';
import { heartbeatTtlSchema } from './card-envelope.js';

// One schema per agent operation, read by both doors: the REST door gathers the fields from the
// path, query and headers, the JSON-RPC door takes them from the params. A field is thus checked
// alike whichever door it came through.

const agentId = z.string().min(1).max(MAX_AGENT_ID_LENGTH);
const REVISION_MESSAGE = 'must be a whole number from 1';
const revision = z.number({ error: REVISION_MESSAGE }).int({ error: REVISION_MESSAGE }).positive({ error: REVISION_MESSAGE });
/**
 * The revision a write replaces: one, any of several (REST's `If-Match` lists entity tags; an empty
 * list matches nothing), or `*` for whatever revision is current.
 */
const expectedRevision = z.union([revision, z.literal('*'), z.array(revision).max(64)]);

/** Read one agent: `GET /agents/{id}`, `get_agent`. */
export const readAgentRequest = z.strictObject({
  agent_id: agentId,
  /** The oldest revision the client accepts. */
  min_revision: revision.optional(),
});

/** Name one agent: `POST /agents/{id}/heartbeat`, `heartbeat_agent`. */
export const agentRefRequest = z.strictObject({ agent_id: agentId });

/** Delete one agent: `DELETE /agents/{id}`, `unregister_agent`. */
export const deleteAgentRequest = z.strictObject({
  agent_id: agentId,
  /** The revision the client last saw. */
  expected_revision: expectedRevision.optional(),
});

/**
 * Register or update an agent: `POST /agents`, `PUT /agents/{id}`, `register_agent`. The card and
 * its TTL are taken out of the envelope by `receiveCard`, which keeps the card's exact bytes.
 */
export const registerAgentRequest = z.strictObject({
  agent_card: z.unknown().refine((card) => card !== undefined, { error: 'is required' }),
  agent_id: agentId.optional(),
  expected_revision: expectedRevision.optional(),
  heartbeat_ttl_seconds: heartbeatTtlSchema.optional(),
  /** Create only: fail when the agent exists (REST's `If-None-Match: *`). */
  create_only: z.boolean().optional(),
});

/** What an owner may set in an agent's lifecycle: the fields of `PATCH /agents/{id}`'s body. */
const lifecycleFields = {
  status: z.enum(['active', 'deprecated', 'deleted'], { error: 'must be "active", "deprecated" or "deleted"' }),
  /** Why (such as the agent to use instead); a deleted agent keeps none. */
  status_message: z.string().max(MAX_STATUS_MESSAGE_LENGTH, { error: `must be at most ${MAX_STATUS_MESSAGE_LENGTH} characters` }).optional(),
};

/** The body of `PATCH /agents/{id}`: the lifecycle fields and nothing else (the id is in the path, the revision in `If-Match`). */
export const lifecycleBody = z.strictObject(lifecycleFields);

/**
 * Set an agent's lifecycle: `PATCH /agents/{id}` (its body is {@link lifecycleBody}),
 * `set_agent_status`. `deleted` removes the agent as `DELETE /agents/{id}` does.
 */
export const setAgentStatusRequest = z
  .strictObject({ agent_id: agentId, ...lifecycleFields, expected_revision: expectedRevision.optional() })
  .refine((request) => request.status !== 'deleted' || request.status_message === undefined, {
    path: ['status_message'],
    error: 'a deleted agent keeps no status message',
  });

/** The service command of a lifecycle request, as either door read it. */
export function setStatusCommandOf(
  request: z.infer<typeof setAgentStatusRequest>,
  actor: Actor,
  idempotency: IdempotentRequest | undefined,
): SetStatusCommand {
  return {
    id: request.agent_id,
    actor,
    status: request.status,
    ...(request.status_message ? { message: request.status_message } : {}),
    ...(request.expected_revision !== undefined ? { expectedRevision: request.expected_revision } : {}),
    ...(idempotency ? { idempotency } : {}),
  };
}
