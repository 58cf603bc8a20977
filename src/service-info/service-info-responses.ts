import { z } from 'zod';
import { named } from '../http/named-schemas.js';

// The bodies of the service routes, beside the routes that build them (service-info-routes.ts).

export const healthResponse = named('Health', z.object({ status: z.literal('healthy'), service: z.string(), version: z.string() }));

export const readinessResponse = named(
  'Readiness',
  z.object({
    status: z.enum(['ready', 'not_ready']),
    /** Each check readiness depends on, and whether it passes. */
    checks: z.record(z.string(), z.boolean()),
    /** A mirror's state (FOLLOW_URL), in the process that follows the source. */
    mirror: z.record(z.string(), z.unknown()).optional(),
  }),
);

export const serviceDocumentResponse = named(
  'ServiceDocument',
  z.object({
    service: z.string(),
    version: z.string(),
    /** Which store holds the agents. */
    store: z.enum(['redis', 'memory']),
    description: z.string(),
    /** The API's doors; absent on a worker, which serves none. */
    protocols: z
      .object({
        primary: z.object({ transport: z.literal('JSONRPC'), endpoint: z.string(), description: z.string() }),
        /** Every REST endpoint mounted, by name: `METHOD /path`. */
        secondary: z.object({ transport: z.literal('HTTP+JSON'), endpoints: z.record(z.string(), z.string()) }),
      })
      .optional(),
    health_check: z.string(),
    readiness: z.string(),
    metrics: z.string(),
    agent_card: z.string(),
    api_document: z.string(),
  }),
);

/** The registry's own agent card: an A2A 1.0 card (described loosely, as every card is). */
export const registryCardResponse = named('RegistryCard', z.looseObject({ name: z.string(), version: z.string() }));
