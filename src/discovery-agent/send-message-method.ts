/**
 * The registry's A2A door: JSON-RPC `SendMessage` (A2A 1.0), which its card advertises. The message's
 * text parts are the query; the answer is a message (no task: the answer is immediate).
 */
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';
import { PARSE_OPTIONS, violationsOf } from '../validation.js';
import { DEFAULT_MATCHES, MAX_MATCHES, type FindAgents, type FindAgentsRequest } from './find-agents.js';

/** Longest query text accepted, as for searches. */
const MAX_QUERY_LENGTH = 1024;

const sendMessageParams = z.looseObject({
  message: z.looseObject({
    messageId: z.string().min(1).max(256),
    contextId: z.string().min(1).max(256).optional(),
    parts: z.array(z.looseObject({ text: z.string().max(MAX_QUERY_LENGTH).optional() })).min(1).max(16),
  }),
  configuration: z.looseObject({ acceptedOutputModes: z.array(z.string().max(256)).max(32).optional() }).optional(),
  metadata: z.looseObject({ pageSize: z.int().min(1).max(MAX_MATCHES).optional() }).optional(),
});

/** Whether the output modes a caller accepts (none named: any) include JSON. */
function acceptsJson(modes: readonly string[] | undefined): boolean {
  return modes === undefined || modes.length === 0 || modes.some((mode) => ['application/json', 'application/*', '*/*'].includes(mode.toLowerCase()));
}

function requestOf(params: Record<string, unknown>): FindAgentsRequest {
  const parsed = sendMessageParams.safeParse(params, PARSE_OPTIONS);
  if (!parsed.success) throw new ValidationError('Invalid SendMessage request', violationsOf(parsed.error, '$.params'));
  const { message, configuration, metadata } = parsed.data;
  const query = message.parts.flatMap((part) => (part.text === undefined ? [] : [part.text])).join(' ').trim();
  if (query.length === 0 || query.length > MAX_QUERY_LENGTH) {
    throw new ValidationError('Say what agents to find in a text part', [
      { path: '$.params.message.parts', message: `must hold text of 1 to ${MAX_QUERY_LENGTH} characters` },
    ]);
  }
  return {
    query,
    pageSize: metadata?.pageSize ?? DEFAULT_MATCHES,
    acceptsJson: acceptsJson(configuration?.acceptedOutputModes),
    ...(message.contextId ? { contextId: message.contextId } : {}),
  };
}

/** `SendMessage`: finds agents for the message's text. */
export function discoveryAgentMethods(findAgents: FindAgents): Map<string, MethodHandler> {
  return new Map<string, MethodHandler>([
    [
      'SendMessage',
      async (params, context) => ({ message: await findAgents.answer(requestOf(params), context.responseBytes) }),
    ],
  ]);
}
