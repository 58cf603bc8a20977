import type { Request } from 'express';
import { listingRouter, type EndpointList, type Routes } from '../http/app.js';
import { sendJson } from '../http/send-json.js';
import { parseRequest } from '../validation.js';
import { presentChangePage } from './change-presenter.js';
import { changesRequest, changesRequestOf, type ChangesRequest } from './change-requests.js';
import type { ChangeService } from './change-service.js';
import type { ChangeStreams } from './change-stream.js';

/** The query of `GET /changes` (and of the stream, whose `Last-Event-ID` stands for `since`). */
function requestOf(req: Request): ChangesRequest {
  const query = parseRequest(changesRequest, req.query);
  return changesRequestOf(query, req.get('last-event-id') ?? query.since);
}

/** `GET /changes` (a page of the change log) and `GET /changes/stream` (the same, as Server-Sent Events). */
export function changeRoutes(changes: ChangeService, streams: ChangeStreams): Routes & { endpoints: EndpointList } {
  const endpoints: EndpointList = {};
  const routes: Routes = (router) => {
    const mount = listingRouter(router, endpoints);
    mount.get('changes', '/changes', async (req, res) => sendJson(res, 200, presentChangePage(await changes.page(requestOf(req)))));
    mount.get('change_stream', '/changes/stream', (req, res) => streams.serve(req, res, requestOf(req)));
  };
  return Object.assign(routes, { endpoints });
}
