import { z } from 'zod';
import { named } from '../http/named-schemas.js';
import { TRUST_LEVELS } from '../store/extension-catalog.js';

// The bodies of the extension catalog's answers, beside their presenter, which takes its types from
// them. Names are the earlier registry's where it had one.

export const extensionSchema = named(
  'Extension',
  z.object({
    uri: z.string(),
    /** Some agent requires it. */
    required: z.boolean(),
    /** How many agents declare it, inactive ones included. */
    usage_count: z.number().int(),
    requiring_agents_count: z.number().int(),
    trust_level: z.enum(TRUST_LEVELS),
    first_declared_by_agent: z.string(),
    first_declared_at: z.string(),
    first_seen: z.string(),
    last_seen: z.string(),
  }),
);
export type ExtensionBody = z.infer<typeof extensionSchema>;

export const extensionListResponse = named(
  'ExtensionList',
  z.object({
    extensions: z.array(extensionSchema),
    count: z.number().int(),
    /** The catalog's size when the page covers a filter-free start; otherwise null. */
    total_count: z.number().int().nullable(),
    next_page_token: z.string().nullable(),
  }),
);
export type ExtensionListBody = z.infer<typeof extensionListResponse>;

export const extensionInfoResponse = named(
  'ExtensionInfo',
  extensionSchema.extend({
    /** A page of the agents that declare it. */
    declaring_agents: z.array(z.string()),
    declaring_agents_next_page_token: z.string().nullable(),
  }),
);
export type ExtensionInfoBody = z.infer<typeof extensionInfoResponse>;

export const agentExtensionsResponse = named(
  'AgentExtensions',
  z.object({
    agent_id: z.string(),
    /** As the agent's card declares them; the catalog's fields too when it knows the extension. */
    extensions: z.array(extensionSchema.partial().extend({ uri: z.string(), required_by_agent: z.boolean() })),
    count: z.number().int(),
  }),
);
export type AgentExtensionsBody = z.infer<typeof agentExtensionsResponse>;
