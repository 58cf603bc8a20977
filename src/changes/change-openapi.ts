import { z } from 'zod';
import { API_ERRORS, errorResponses, type ApiOperation, type ApiParameter } from '../http/api-description.js';
import { changePageResponse } from './change-responses.js';
import { changesRequest } from './change-requests.js';

// The change log's REST door (change-routes.ts), for the API document.

const TAG = 'changes';

/** What each query parameter asks, by name; the structured filters are search's, held by the agent's current card. */
const MEANINGS: Record<string, string> = {
  since: 'Start strictly after this cursor; absent: at the oldest event kept',
  limit: 'Most events in one page (default 100)',
  agent_id: 'Only events of these agents (comma-separated or repeated)',
  kind: 'Only events of these kinds (comma-separated or repeated)',
  include_card: 'Attach the card to events that wrote one, while it is current (default true)',
  skill: 'Only agents whose current card has a skill of this id',
  tag: 'Only agents whose current card has a skill tagged so',
  input_mode: 'Only agents whose current card takes this media type',
  output_mode: 'Only agents whose current card answers this media type',
  binding: 'Only agents whose current card has an interface of this protocol binding',
  provider: 'Only agents whose current card names this provider organization',
  extension: 'Only agents whose current card declares this extension URI',
  signature_status: 'Only agents whose card signature is verified, invalid or unsigned',
  probe_status: "Only agents whose last probe found this status (ok, degraded, unreachable, refused, invalid, timeout, blocked, opted_out)",
  streaming: 'Only agents that do (true) or do not (false) stream',
  push_notifications: 'Only agents that do (true) or do not (false) send push notifications',
};

/** Every parameter the request schema reads, so that none the door takes is left out. */
const query: ApiParameter[] = Object.entries(changesRequest.shape).map(([name, schema]) => ({
  name,
  in: 'query',
  description: MEANINGS[name] ?? name,
  schema,
}));

const lastEventId: ApiParameter = {
  name: 'Last-Event-ID',
  in: 'header',
  description: 'The cursor of the last event received: stands for `since` when a stream resumes',
  schema: z.string(),
};

export const changeOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/changes',
    operationId: 'listChanges',
    summary: 'A page of the change log',
    tag: TAG,
    access: 'read',
    parameters: [...query, lastEventId],
    responses: { 200: { description: 'Events after the cursor, oldest first', schema: changePageResponse }, ...errorResponses(400, 410, ...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/changes/stream',
    operationId: 'streamChanges',
    summary: 'The change log as Server-Sent Events, kept open',
    description:
      'Each event is `id: <cursor>`, `event: change` and `data: <a ChangeEvent as JSON>`; comments keep the connection alive. A stream that fails later ends with `event: error`.',
    tag: TAG,
    access: 'read',
    parameters: [...query, lastEventId],
    responses: {
      200: { description: 'The stream of events', schema: z.string(), contentType: 'text/event-stream' },
      ...errorResponses(400, 410, ...API_ERRORS),
    },
  },
];
