import { z } from 'zod';
import { MAX_AGENT_ID_LENGTH } from './agent-id.js';
import type { AgentService } from './agent-service.js';
import { heartbeatTtlSchema } from './card-envelope.js';
import type { IdempotentRequest } from './idempotency-key.js';
import { parseRequest } from '../validation.js';
import { snakeCaseKeys } from '../snake-case-keys.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { Actor, SaveResult } from '../store/agent-record.js';

/** `POST /agents/register-url` and `register_agent_url`, once camelCase names are read as snake_case. */
export const registerFromUrlSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  agent_id: z.string().min(1).max(MAX_AGENT_ID_LENGTH).optional(),
  heartbeat_ttl_seconds: heartbeatTtlSchema.optional(),
});

/** What `POST /agents/register-url` and `register_agent_url` ask for. */
export type RegisterFromUrlRequest = z.infer<typeof registerFromUrlSchema>;


/** Reads the request in snake_case or camelCase, listing every problem. */
export function parseRegisterFromUrl(input: unknown, root = '$'): RegisterFromUrlRequest {
  const renamed =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? snakeCaseKeys(input as Record<string, unknown>)
      : input;
  return parseRequest(registerFromUrlSchema, renamed, root, 'Invalid register-by-URL request');
}

/**
 * Fetches the card the URL points at (its origin's well-known card, or the JSON document it names)
 * through the SSRF-safe fetcher, and registers the exact bytes fetched, remembering where they came from.
 */
export async function registerFromUrl(
  agents: AgentService,
  fetcher: SafeFetcher,
  request: RegisterFromUrlRequest,
  actor: Actor,
  idempotency?: IdempotentRequest,
): Promise<SaveResult> {
  // A retry of a registration that went through fetches nothing again.
  const saved = await agents.savedBefore(idempotency);
  if (saved) return saved;
  if (request.agent_id !== undefined) await agents.assertMayWrite(request.agent_id, actor);
  const fetched = await fetcher.fetchAgentCard(request.url);
  return agents.register({
    card: fetched.json,
    cardJson: fetched.text,
    actor,
    sourceUrl: fetched.sourceUrl,
    ...(idempotency ? { idempotency } : {}),
    ...(request.agent_id !== undefined ? { id: request.agent_id } : {}),
    ...(request.heartbeat_ttl_seconds !== undefined ? { ttlSeconds: request.heartbeat_ttl_seconds } : {}),
  });
}
