import { z } from 'zod';
import type { AgentService } from '../agents/agent-service.js';
import { PARSE_OPTIONS, violationsOf } from '../agents/card/card-validation.js';
import { ValidationError } from '../errors.js';
import { snakeCaseKeys } from '../snake-case-keys.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import type { Actor, SaveResult } from '../store/agent-record.js';

const requestSchema = z.strictObject({
  url: z.string().min(1).max(2048),
  agent_id: z.string().min(1).max(200).optional(),
  heartbeat_ttl_seconds: z.number().int().min(0).max(31_536_000).optional(),
});

/** What `POST /agents/register-url` and `register_agent_url` ask for. */
export type RegisterFromUrlRequest = z.infer<typeof requestSchema>;


/** Reads the request in snake_case or camelCase, listing every problem. */
export function parseRegisterFromUrl(input: unknown, root = '$'): RegisterFromUrlRequest {
  const renamed =
    typeof input === 'object' && input !== null && !Array.isArray(input)
      ? snakeCaseKeys(input as Record<string, unknown>)
      : input;
  const parsed = requestSchema.safeParse(renamed, PARSE_OPTIONS);
  if (!parsed.success) throw new ValidationError('Invalid register-by-URL request', violationsOf(parsed.error, root));
  return parsed.data;
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
): Promise<SaveResult> {
  const fetched = await fetcher.fetchAgentCard(request.url);
  return agents.register({
    card: fetched.json,
    cardJson: fetched.text,
    actor,
    sourceUrl: fetched.sourceUrl,
    ...(request.agent_id !== undefined ? { id: request.agent_id } : {}),
    ...(request.heartbeat_ttl_seconds !== undefined ? { ttlSeconds: request.heartbeat_ttl_seconds } : {}),
  });
}
