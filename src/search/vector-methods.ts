import { UnsupportedOperationError } from '../errors.js';
import type { MethodHandler } from '../jsonrpc/jsonrpc-dispatcher.js';

/** What to use instead of the earlier registry's vector search. */
const ALTERNATIVE =
  'search by keyword instead: search_agents {query, skills, tags, ...} (POST /agents/search); the registry indexes every card it stores, so there are no vectors to keep';

/**
 * The earlier registry's vector methods. This registry keeps no vectors (it searches an index of
 * words and values), so each answers a clear "not supported" naming the alternative, rather than
 * "method not found", which old clients would read as a broken server.
 */
export function retiredVectorMethods(): Map<string, MethodHandler> {
  const refuse = (method: string): MethodHandler => async () => {
    throw new UnsupportedOperationError(`${method} is not supported: this registry has no vector search; ${ALTERNATIVE}`);
  };
  return new Map(['update_agent_vectors', 'get_agent_vectors', 'get_vector_stats'].map((method) => [method, refuse(method)]));
}
