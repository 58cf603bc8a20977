import { RawJson } from '../http/json-text.js';
import type { ChangeEvent, ChangePage } from './change-service.js';
import type { ChangeEventBody } from './change-responses.js';

/** One event as both doors show it. */
export function presentChange(event: ChangeEvent): ChangeEventBody {
  const { summary } = event;
  return {
    cursor: event.cursor,
    agent_id: event.agentId,
    kind: event.kind,
    revision: event.revision,
    at: new Date(event.at).toISOString(),
    ...(summary
      ? {
          summary: {
            name: summary.name,
            description: summary.description,
            format: summary.format,
            url: summary.url ?? null,
            signature_status: summary.signatureStatus,
          },
        }
      : {}),
    ...(event.lifecycle ? { lifecycle_status: event.lifecycle.status, ...(event.lifecycle.message ? { status_message: event.lifecycle.message } : {}) } : {}),
    ...(event.probe ? { probe_status: event.probe.status, ...(event.probe.previous ? { previous_probe_status: event.probe.previous } : {}) } : {}),
    ...(event.card !== undefined ? { agent_card: new RawJson(event.card) } : {}),
    ...(event.cardSuperseded ? { card_superseded: true } : {}),
    ...(event.filterMatch !== undefined ? { filter_match: event.filterMatch } : {}),
  };
}

export function presentChangePage(page: ChangePage) {
  return { changes: page.events.map(presentChange), count: page.events.length, next_cursor: page.nextCursor, has_more: page.hasMore };
}
