import { agentOperations } from '../agents/agent-openapi.js';
import { ardOperations } from '../ard/ard-openapi.js';
import { catalogOperations } from '../catalog/catalog-openapi.js';
import { catalogSourceOperations } from '../catalog-sources/catalog-source-openapi.js';
import { changeOperations } from '../changes/change-openapi.js';
import { domainOperations } from '../domains/domain-openapi.js';
import { extensionOperations } from '../extensions/extension-openapi.js';
import { errorResponses, type ApiOperation } from '../http/api-description.js';
import { jsonRpcOperations } from '../jsonrpc/jsonrpc-openapi.js';
import { serviceInfoOperations } from '../service-info/service-info-openapi.js';
import { openApiOperation } from './openapi-routes.js';

/** What a process mounts, as the composition root decides it. */
export interface ServedParts {
  /** The API (roles `api` and `all`); a worker serves only the service routes. */
  api: boolean;
  /** `/metrics` on the API's port (no METRICS_PORT of its own). */
  metrics: boolean;
  /** A read-only mirror (FOLLOW_URL): every write answers 403 `read_only_mirror`. */
  mirror: boolean;
}

/** `op` as a mirror serves it: its writes refused with 403 before anything else. */
const asMirror = (op: ApiOperation): ApiOperation =>
  op.access === 'write' ? { ...op, responses: { ...op.responses, ...errorResponses(403) } } : op;

/** Every operation a process with these parts serves: the document describes only what answers. */
export function servedOperations(parts: ServedParts): ApiOperation[] {
  const api = parts.api ? [...agentOperations, ...extensionOperations, ...domainOperations, ...catalogSourceOperations, ...changeOperations, ...catalogOperations, ...ardOperations, ...jsonRpcOperations] : [];
  return [...serviceInfoOperations({ metrics: parts.metrics }), openApiOperation, ...(parts.mirror ? api.map(asMirror) : api)];
}
