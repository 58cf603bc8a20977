import type { z } from 'zod';
import { errorEnvelope } from './error-middleware.js';

// How a feature describes the HTTP operations it mounts, with the zod schemas its door reads and
// its presenters answer: the OpenAPI document is assembled from these (src/openapi/), so it
// cannot say other than what the code checks and sends.

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One parameter outside the body. */
export interface ApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  description: string;
  /** As the door reads it. Query and header values arrive as text: the door turns them into numbers and flags first. */
  schema: z.ZodType;
  /** @defaultValue true for path parameters, false otherwise */
  required?: boolean;
}

/** One response an operation may give. */
export interface ApiResponse {
  description: string;
  /** The body; absent: no body (204, 304). */
  schema?: z.ZodType;
  /** @defaultValue `application/json` when there is a schema */
  contentType?: string;
  /** Response headers worth a client's notice, by name: their description. */
  headers?: Record<string, string>;
}

/** One operation of the REST API, as its feature mounts it. */
export interface ApiOperation {
  method: HttpMethod;
  /** The path as OpenAPI writes it: `/agents/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  /** The feature's tag. */
  tag: string;
  parameters?: ApiParameter[];
  /** A JSON body, as the door reads it. */
  requestBody?: { description: string; schema: z.ZodType };
  /** Every status it answers, by status. */
  responses: Record<number, ApiResponse>;
  /**
   * Who may call it: `open` to anyone, whatever the configuration; `read` to anyone unless reads
   * require credentials (READS_REQUIRE_AUTH); `write` to authenticated callers only.
   */
  access: 'open' | 'read' | 'write';
}

/** What each error status means, as every route may answer it (the body is the shared error envelope). */
const ERROR_MEANINGS: Record<number, string> = {
  400: 'The request is malformed or breaks a rule: `violations` lists each field and what is wrong with it',
  401: 'No credentials where they are required, or credentials that prove nothing',
  403: 'The caller may not do this (another owner\'s agent, a domain another principal proved, an admin operation)',
  404: 'No such resource',
  409: 'The write clashes with what is stored (the agent exists, or another agent holds the id)',
  410: 'The change log no longer holds events from this cursor: read a snapshot again',
  412: 'A precondition (`If-Match`, `min_revision`) does not hold',
  413: 'The body, or the answer, is larger than allowed',
  415: 'The body is not JSON (`Content-Type: application/json`, UTF-8, a known `Content-Encoding`)',
  422: 'The request is well-formed but cannot be done (a domain proof that did not hold, an idempotency key reused for another request)',
  429: 'The caller spent its request budget: `Retry-After` says when to come back',
  500: 'A fault of the registry itself',
  502: 'The upstream the registry fetched from answered something unusable',
  504: 'The upstream the registry fetched from did not answer in time',
  503: 'Storage (Redis) unavailable, or the write not confirmed: retry after `Retry-After`',
};

const ERROR_HEADERS: Record<number, Record<string, string>> = {
  401: { 'WWW-Authenticate': 'The scheme to authenticate with' },
  429: { 'Retry-After': 'Seconds until the budget refills' },
  503: { 'Retry-After': 'Seconds to wait before retrying' },
};

/** The error envelope at each of `statuses`, as the error middleware renders it. */
export function errorResponses(...statuses: number[]): Record<number, ApiResponse> {
  return Object.fromEntries(
    statuses.map((status) => {
      const meaning = ERROR_MEANINGS[status];
      if (meaning === undefined) throw new Error(`No meaning written for error status ${status}`);
      const headers = ERROR_HEADERS[status];
      return [status, { description: meaning, schema: errorEnvelope, ...(headers ? { headers } : {}) }];
    }),
  );
}

/** What any route behind authentication and rate limits may answer besides its own: credentials, budget, faults, outage. */
export const API_ERRORS = [401, 429, 500, 503] as const;

/** What a route with a JSON body may answer besides its own: the body refused. */
export const BODY_ERRORS = [400, 413, 415] as const;
