import { z } from 'zod';
import { API_ERRORS, errorResponses, type ApiOperation, type ApiParameter } from '../http/api-description.js';
import { changePageResponse } from './change-responses.js';
import { changesRequest } from './change-requests.js';

// The change log's REST door (change-routes.ts), for the API document.

const TAG = 'changes';

const query: ApiParameter[] = [
  { name: 'since', in: 'query', description: 'Start strictly after this cursor; absent: at the oldest event kept', schema: changesRequest.shape.since },
  { name: 'limit', in: 'query', description: 'Most events in one page (default 100)', schema: changesRequest.shape.limit },
  { name: 'agent_id', in: 'query', description: 'Only events of these agents (comma-separated or repeated)', schema: changesRequest.shape.agent_id },
  { name: 'kind', in: 'query', description: 'Only events of these kinds (comma-separated or repeated)', schema: changesRequest.shape.kind },
  { name: 'include_card', in: 'query', description: 'Attach the card to events that wrote one, while it is current (default true)', schema: changesRequest.shape.include_card },
];

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
