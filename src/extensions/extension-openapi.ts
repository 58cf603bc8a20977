import { agentRefRequest } from '../agents/agent-requests.js';
import { API_ERRORS, BODY_ERRORS, errorResponses, type ApiOperation, type ApiParameter } from '../http/api-description.js';
import { named } from '../http/named-schemas.js';
import { agentExtensionsResponse, extensionInfoResponse, extensionListResponse, extensionSchema } from './extension-responses.js';
import { extensionInfoRequest, extensionListRequest, trustWriteRequest } from './extension-schemas.js';

// The extension catalog's REST door (extension-routes.ts), for the API document.

const TAG = 'extensions';

const uri: ApiParameter = {
  name: 'uri',
  in: 'path',
  description: 'The extension URI, percent-encoded as one segment (sent as it is, slashes and all, it is read alike)',
  schema: extensionInfoRequest.shape.uri,
};

const listQuery: ApiParameter[] = [
  { name: 'uri_pattern', in: 'query', description: 'Text the URI must hold, case-insensitively', schema: extensionListRequest.shape.uri_pattern },
  { name: 'declaring_agents', in: 'query', description: 'Only extensions one of these agents declares (comma-separated)', schema: extensionListRequest.shape.declaring_agents },
  { name: 'trust_levels', in: 'query', description: 'Only extensions at one of these trust levels (comma-separated)', schema: extensionListRequest.shape.trust_levels },
  { name: 'page_size', in: 'query', description: 'Entries in one page (default 100)', schema: extensionListRequest.shape.page_size },
  { name: 'page_token', in: 'query', description: 'The `next_page_token` of the page before', schema: extensionListRequest.shape.page_token },
];

export const extensionOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/extensions',
    operationId: 'listExtensions',
    summary: 'A page of the extension catalog: the extensions registered cards declare',
    tag: TAG,
    access: 'read',
    parameters: listQuery,
    responses: { 200: { description: 'A page of extensions', schema: extensionListResponse }, ...errorResponses(400, ...API_ERRORS) },
  },
  {
    method: 'put',
    path: '/extensions/{uri}/trust',
    operationId: 'setExtensionTrust',
    summary: 'Set the trust level of an extension (admins)',
    tag: TAG,
    access: 'write',
    parameters: [uri],
    requestBody: { description: 'The trust level', schema: named('TrustWrite', trustWriteRequest.omit({ uri: true })) },
    responses: { 200: { description: 'The extension, at its new level', schema: extensionSchema }, ...errorResponses(...BODY_ERRORS, 403, 404, ...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/extensions/{uri}',
    operationId: 'getExtension',
    summary: 'One extension, with a page of the agents that declare it',
    tag: TAG,
    access: 'read',
    parameters: [
      uri,
      { name: 'page_size', in: 'query', description: 'Declaring agents in one page (default 100)', schema: extensionInfoRequest.shape.page_size },
      { name: 'page_token', in: 'query', description: 'The `declaring_agents_next_page_token` of the answer before', schema: extensionInfoRequest.shape.page_token },
    ],
    responses: { 200: { description: 'The extension', schema: extensionInfoResponse }, ...errorResponses(400, 404, ...API_ERRORS) },
  },
  {
    method: 'get',
    path: '/agents/{id}/extensions',
    operationId: 'getAgentExtensions',
    summary: 'The extensions one agent declares, with what the catalog knows of each',
    tag: TAG,
    access: 'read',
    parameters: [{ name: 'id', in: 'path', description: 'The agent id', schema: agentRefRequest.shape.agent_id }],
    responses: { 200: { description: 'Its extensions', schema: agentExtensionsResponse }, ...errorResponses(400, 404, ...API_ERRORS) },
  },
];
