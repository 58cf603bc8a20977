import { z } from 'zod';
import { errorResponses, type ApiOperation } from '../http/api-description.js';
import { healthResponse, readinessResponse, registryCardResponse, serviceDocumentResponse } from './service-info-responses.js';

// The service routes (service-info-routes.ts) for the API document. They answer without credentials.

const TAG = 'service';

const card = (path: string, operationId: string, summary: string): ApiOperation => ({
  method: 'get',
  path,
  operationId,
  summary,
  tag: TAG,
  access: 'open',
  responses: { 200: { description: 'The registry\'s agent card', schema: registryCardResponse }, ...errorResponses(500) },
});

/** The service routes a process serves: `/metrics` only when metrics have no port of their own. */
export function serviceInfoOperations(options: { metrics: boolean }): ApiOperation[] {
  return [
    {
      method: 'get',
      path: '/',
      operationId: 'serviceDocument',
      summary: 'What this registry is and serves',
      tag: TAG,
      access: 'open',
      responses: { 200: { description: 'The service document', schema: serviceDocumentResponse }, ...errorResponses(500) },
    },
    {
      method: 'get',
      path: '/health',
      operationId: 'health',
      summary: 'Liveness: the process answers',
      tag: TAG,
      access: 'open',
      responses: { 200: { description: 'Alive', schema: healthResponse }, ...errorResponses(500) },
    },
    {
      method: 'get',
      path: '/ready',
      operationId: 'ready',
      summary: 'Readiness: whether this replica should get traffic',
      tag: TAG,
      access: 'open',
      responses: {
        200: { description: 'Ready', schema: readinessResponse },
        503: { description: 'Not ready: `checks` says which check fails', schema: readinessResponse },
        ...errorResponses(500),
      },
    },
    ...(options.metrics
      ? [
          {
            method: 'get',
            path: '/metrics',
            operationId: 'metrics',
            summary: 'Prometheus metrics of this process',
            tag: TAG,
            access: 'open',
            responses: {
              200: { description: 'The Prometheus text exposition', schema: z.string(), contentType: 'text/plain' },
              ...errorResponses(500),
            },
          } satisfies ApiOperation,
        ]
      : []),
    card('/.well-known/agent-card.json', 'registryCard', 'The registry\'s own A2A agent card'),
    card('/.well-known/agent.json', 'registryCardLegacy', 'The registry\'s own A2A agent card, at the path of earlier A2A versions'),
  ];
}
