import { z } from 'zod';
import { CHANGE_KINDS } from '../store/change-log.js';
import { MAX_AGENT_ID_LENGTH } from '../agents/agent-id.js';
import { structuredTerms } from '../search/search-service.js';

/** Events in one page when the client names no limit. */
export const DEFAULT_CHANGE_PAGE = 100;
/** The most events one page holds. */
export const MAX_CHANGE_PAGE = 500;

const commaList = <T extends z.ZodType>(item: T) =>
  z.union([z.string().max(8192), z.array(z.string().max(8192)).max(50)]).transform((value, ctx) => {
    const items = (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    const parsed = z.array(item).max(50).safeParse(items);
    if (parsed.success) return parsed.data as z.infer<T>[];
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
const whole = z.union([z.number(), z.string().regex(/^\d{1,6}$/).transform(Number)]).pipe(z.number().int().min(1).max(MAX_CHANGE_PAGE));
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const filterList = commaList(z.string().min(1).max(512));

/**
 * `GET /changes`, `GET /changes/stream` and `list_changes`: one request, from a query string (lists
 * repeated or comma-separated) or JSON-RPC params (lists as arrays or comma-separated strings).
 */
export const changesRequest = z.strictObject({
  /** Start strictly after this cursor; absent: at the oldest event kept. */
  since: z.string().max(64).optional(),
  limit: whole.optional(),
  /** Only events of these agents. */
  agent_id: commaList(z.string().min(1).max(MAX_AGENT_ID_LENGTH)).optional(),
  /** Only events of these kinds. */
  kind: commaList(z.enum(CHANGE_KINDS)).optional(),
  /** Attach the card to events that wrote one, while it is still the agent's current card. @defaultValue true */
  include_card: flag.optional(),
  // The structured filters of search, held by the agent's current card (see ChangeService).
  skill: filterList.optional(),
  tag: filterList.optional(),
  input_mode: filterList.optional(),
  output_mode: filterList.optional(),
  binding: filterList.optional(),
  provider: filterList.optional(),
  extension: filterList.optional(),
  signature_status: filterList.optional(),
  probe_status: filterList.optional(),
  streaming: flag.optional(),
  push_notifications: flag.optional(),
});

/** The request as the service reads it. */
export function changesRequestOf(parsed: z.infer<typeof changesRequest>, since = parsed.since): ChangesRequest {
  return {
    ...(since !== undefined ? { since } : {}),
    limit: parsed.limit ?? DEFAULT_CHANGE_PAGE,
    agentIds: parsed.agent_id ?? [],
    kinds: parsed.kind ?? [],
    includeCard: parsed.include_card ?? true,
    requiredTerms: structuredTerms({
      skills: parsed.skill ?? [],
      tags: parsed.tag ?? [],
      inputModes: parsed.input_mode ?? [],
      outputModes: parsed.output_mode ?? [],
      bindings: parsed.binding ?? [],
      providers: parsed.provider ?? [],
      extensions: parsed.extension ?? [],
      signatureStatuses: parsed.signature_status ?? [],
      probeStatuses: parsed.probe_status ?? [],
      ...(parsed.streaming !== undefined ? { streaming: parsed.streaming } : {}),
      ...(parsed.push_notifications !== undefined ? { pushNotifications: parsed.push_notifications } : {}),
    }),
  };
}

/** What a reader of the change log asks for, from either door. */
export interface ChangesRequest {
  since?: string;
  limit: number;
  agentIds: string[];
  kinds: string[];
  includeCard: boolean;
  /** The index terms the agent's current card must have: the structured filters, as search reads them. */
  requiredTerms: string[];
}
