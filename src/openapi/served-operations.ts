import { agentOperations } from '../agents/agent-openapi.js';
import { changeOperations } from '../changes/change-openapi.js';
import { domainOperations } from '../domains/domain-openapi.js';
import { extensionOperations } from '../extensions/extension-openapi.js';
import type { ApiOperation } from '../http/api-description.js';
import { jsonRpcOperations } from '../jsonrpc/jsonrpc-openapi.js';
import { serviceInfoOperations } from '../service-info/service-info-openapi.js';
import { openApiOperation } from './openapi-routes.js';

/** What a process mounts, as the composition root decides it. */
export interface ServedParts {
  /** The API (roles `api` and `all`); a worker serves only the service routes. */
  api: boolean;
  /** `/metrics` on the API's port (no METRICS_PORT of its own). */
  metrics: boolean;
}

/** Every operation a process with these parts serves: the document describes only what answers. */
export function servedOperations(parts: ServedParts): ApiOperation[] {
  return [
    ...serviceInfoOperations({ metrics: parts.metrics }),
    openApiOperation,
    ...(parts.api ? [...agentOperations, ...extensionOperations, ...domainOperations, ...changeOperations, ...jsonRpcOperations] : []),
  ];
}
