import { z } from 'zod';
import { agentCardSchema } from '../agents/agent-responses.js';
import { named } from '../http/named-schemas.js';
import type { RawJson } from '../http/json-text.js';
import { CHANGE_KINDS } from '../store/change-log.js';
import { PROBE_STATUSES } from '../store/probe-outcome.js';

// The bodies of the change log's answers, beside their presenter, which takes its types from them.

export const changeEventSchema = named(
  'ChangeEvent',
  z.object({
    /** Where the event sits: pass it as `since` (or `Last-Event-ID`) to go on after it. */
    cursor: z.string(),
    agent_id: z.string(),
    kind: z.enum(CHANGE_KINDS),
    revision: z.number().int(),
    at: z.string(),
    /** On events that wrote a card: what listings show of it. */
    summary: z
      .object({
        name: z.string(),
        description: z.string(),
        format: z.enum(['a2a-1.0', 'a2a-0.3', 'legacy']),
        url: z.string().nullable(),
        signature_status: z.enum(['verified', 'invalid', 'unsigned']),
      })
      .optional(),
    /** On `status_changed` events: the lifecycle its owner set, and the message with it. */
    lifecycle_status: z.enum(['active', 'deprecated']).optional(),
    status_message: z.string().optional(),
    /** On `probe_changed` events: the status the worker's probe found, and the one before (absent on the first probe). */
    probe_status: z.enum(PROBE_STATUSES).optional(),
    previous_probe_status: z.enum(PROBE_STATUSES).optional(),
    /** The card the event wrote, while it is still the agent's current one (and `include_card` is not false). */
    agent_card: agentCardSchema.optional(),
    /** The event wrote a card that a later change replaced. */
    card_superseded: z.literal(true).optional(),
    /**
     * With structured filters: whether the agent's current card holds them. False on an event that
     * changed the card of an agent that no longer does: a reader that holds the agent drops it.
     */
    filter_match: z.boolean().optional(),
  }),
);

/** An event as the presenter builds it: its card as the stored bytes. */
export type ChangeEventBody = Omit<z.infer<typeof changeEventSchema>, 'agent_card'> & { agent_card?: RawJson };

export const changePageResponse = named(
  'ChangePage',
  z.object({
    changes: z.array(changeEventSchema),
    count: z.number().int(),
    /** Where to go on from. */
    next_cursor: z.string(),
    /** More events were kept after `next_cursor` when the page was read. */
    has_more: z.boolean(),
  }),
);
