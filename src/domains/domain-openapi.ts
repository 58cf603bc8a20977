import { API_ERRORS, errorResponses, type ApiOperation, type ApiParameter } from '../http/api-description.js';
import { domainRequest } from './domain-requests.js';
import { domainChallengeResponse, domainClaimResponse, domainRemovedResponse, domainVerifiedResponse } from './domain-responses.js';

// The domain proofs' REST door (domain-routes.ts), for the API document.

const TAG = 'domains';

const domain: ApiParameter = { name: 'domain', in: 'path', description: 'A domain name such as example.com', schema: domainRequest.shape.domain };

export const domainOperations: ApiOperation[] = [
  {
    method: 'post',
    path: '/domains/{domain}/challenge',
    operationId: 'challengeDomain',
    summary: 'Ask for a challenge: a token to publish on the domain',
    tag: TAG,
    access: 'write',
    parameters: [domain],
    responses: { 201: { description: 'The challenge, and where to serve it', schema: domainChallengeResponse }, ...errorResponses(400, ...API_ERRORS) },
  },
  {
    method: 'post',
    path: '/domains/{domain}/verify',
    operationId: 'verifyDomain',
    summary: 'Have the registry fetch the challenge and, when it holds, record the proof',
    tag: TAG,
    access: 'write',
    parameters: [domain],
    responses: {
      200: { description: 'The domain is proven; its agents were settled', schema: domainVerifiedResponse },
      ...errorResponses(400, 404, 422, 502, 504, ...API_ERRORS),
    },
  },
  {
    method: 'get',
    path: '/domains/{domain}',
    operationId: 'getDomain',
    summary: 'Read the claim on a proven domain',
    tag: TAG,
    access: 'read',
    parameters: [domain],
    responses: { 200: { description: 'The claim', schema: domainClaimResponse }, ...errorResponses(400, 404, ...API_ERRORS) },
  },
  {
    method: 'delete',
    path: '/domains/{domain}',
    operationId: 'removeDomain',
    summary: 'Remove the claim on a domain (admins)',
    tag: TAG,
    access: 'write',
    parameters: [domain],
    responses: { 200: { description: 'The claim was removed', schema: domainRemovedResponse }, ...errorResponses(400, 403, 404, ...API_ERRORS) },
  },
];
