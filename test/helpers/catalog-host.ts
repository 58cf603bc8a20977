import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { catalogProblems } from './ard-schemas.js';

/** Whether `document` is an AI Catalog as the specification's schema has it. */
export const isValidCatalog = (document: unknown): boolean => catalogProblems(document).length === 0;

/** Fails the test unless `document` is an AI Catalog as the specification's schema has it. */
export function expectValidCatalog(document: unknown): void {
  expect(catalogProblems(document)).toEqual([]);
}

/** What the host answers at one path: a JSON document (served with `contentType`), or a bare status. */
export interface HostedDocument {
  body?: unknown;
  status?: number;
  contentType?: string;
}

/**
 * A publisher's web server on loopback for the enclosing suite: answers `documents[path]` (404 for
 * other paths), after `delayMs`, and counts requests and the most answered at once (`maxInFlight`).
 */
export function useCatalogHost() {
  const documents = new Map<string, HostedDocument>();
  const state = { requests: 0, inFlight: 0, maxInFlight: 0, delayMs: 0, paths: [] as string[] };
  let server: Server;
  let origin = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      state.requests++;
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      state.paths.push(req.url ?? '');
      setTimeout(() => {
        state.inFlight--;
        const document = documents.get(req.url ?? '');
        if (!document || document.body === undefined) return void res.writeHead(document?.status ?? 404).end();
        res.writeHead(document.status ?? 200, { 'content-type': document.contentType ?? 'application/json' }).end(JSON.stringify(document.body));
      }, state.delayMs);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    documents,
    state,
    /** Serves `body` at `path`. */
    serve(path: string, body: unknown, contentType?: string) {
      documents.set(path, { body, ...(contentType ? { contentType } : {}) });
    },
    resetCounts() {
      Object.assign(state, { requests: 0, inFlight: 0, maxInFlight: 0, paths: [] });
    },
    get origin() {
      return origin;
    },
  };
}

/** An AI Catalog of `entries`. */
export const catalogOf = (entries: unknown[]) => ({ specVersion: '1.0', host: { displayName: 'Example Publisher' }, entries });

/** An A2A entry whose card is at `url`. */
export const cardEntryAt = (identifier: string, url: string) => ({
  identifier,
  displayName: identifier.split(':').at(-1),
  type: 'application/a2a-agent-card+json',
  url,
});

/** An A2A entry with its card inline. */
export const inlineCardEntry = (identifier: string, data: unknown) => ({
  identifier,
  displayName: identifier.split(':').at(-1),
  type: 'application/a2a-agent-card+json',
  data,
});

/** An entry that nests the catalog at `url`. */
export const nestedCatalogEntry = (identifier: string, url: string) => ({
  identifier,
  displayName: identifier.split(':').at(-1),
  type: 'application/ai-catalog+json',
  url,
});
