import type { Server } from 'node:http';
import { createServer } from 'node:net';
import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../src/openapi/openapi-document.js';
import { servedOperations } from '../../src/openapi/served-operations.js';
import { VERSION } from '../../src/version.js';
import { useRegistry } from '../helpers/use-registry.js';

type Json = Record<string, unknown>;

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** Every `METHOD /path` the Express app behind `server` mounted, read from its router, as OpenAPI writes paths. */
function mountedRoutes(server: Server): string[] {
  const app = server.listeners('request').find((listener) => 'router' in listener) as unknown as { router: { stack: RouteLayer[] } };
  return app.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((method) => method !== '_all')
          .map((method) => `${method.toUpperCase()} ${layer.route!.path.replace(/[:*](\w+)/g, '{$1}')}`)
      : [],
  );
}

/** Every `METHOD /path` the document describes. */
const documentedRoutes = (document: Json): string[] =>
  Object.entries(document.paths as Record<string, Json>).flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`));

async function validationOf(document: Json) {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document));
  return { valid: result.valid, errors: result.errors, version: validator.version };
}

/** A free loopback port. */
const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('GET /openapi.json', () => {
  const registry = useRegistry({ ROLE: 'api' });

  it('serves the document as cacheable JSON, with an entity tag that a revalidation answers 304', async () => {
    const response = await fetch(`${registry.base}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
    const document = (await response.json()) as Json;
    expect(document.openapi).toBe('3.1.0');
    expect((document.info as Json).version).toBe(VERSION);
    expect(document.servers).toEqual([{ url: '/' }]);
    const etag = response.headers.get('etag') as string;
    const again = await fetch(`${registry.base}/openapi.json`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await fetch(`${registry.base}/openapi.json`, { headers: { 'if-none-match': '"other"' } })).status).toBe(200);
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const document = (await (await fetch(`${registry.base}/openapi.json`)).json()) as Json;
    const result = await validationOf(document);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(result.version).toBe('3.1');
  });

  it('describes every route the app mounts, and no other', async () => {
    const document = (await (await fetch(`${registry.base}/openapi.json`)).json()) as Json;
    const mounted = mountedRoutes(registry.server);
    expect(mounted.length).toBeGreaterThan(25);
    expect(new Set(mounted).size).toBe(mounted.length);
    expect([...documentedRoutes(document)].sort()).toEqual([...mounted].sort());
  });

  it('names the shared error envelope and the security schemes of the configuration', async () => {
    const document = (await (await fetch(`${registry.base}/openapi.json`)).json()) as Json;
    const components = document.components as Json;
    expect(Object.keys(components.schemas as Json)).toEqual(expect.arrayContaining(['Error', 'AgentRecord', 'AgentPage', 'ChangePage', 'Extension', 'DomainClaim']));
    // AUTH_MODE=none: every caller acts as an admin, so nothing is asked of it.
    expect(components.securitySchemes).toBeUndefined();
  });
});

describe('the document of another configuration', () => {
  const metricsPort = { value: 0 };
  // Before the registry starts, which reads the port.
  beforeAll(async () => {
    metricsPort.value = await freePort();
  });
  const registry = useRegistry(() => ({ ROLE: 'api', METRICS_PORT: String(metricsPort.value) }));

  it('leaves out /metrics when metrics have a port of their own, as the app does', async () => {
    const document = (await (await fetch(`${registry.base}/openapi.json`)).json()) as Json;
    expect(documentedRoutes(document)).not.toContain('GET /metrics');
    expect([...documentedRoutes(document)].sort()).toEqual([...mountedRoutes(registry.server)].sort());
  });

  it.each([
    { authMode: 'apikey', readsRequireAuth: false, schemes: ['apiKey', 'bearer'] },
    { authMode: 'jwt', readsRequireAuth: true, schemes: ['bearer'] },
  ] as const)('is valid with AUTH_MODE=$authMode and its schemes', async ({ authMode, readsRequireAuth, schemes }) => {
    const document = openApiDocument({ version: VERSION, operations: servedOperations({ api: true, metrics: true, mirror: false }), authMode, readsRequireAuth });
    expect((await validationOf(document)).valid).toBe(true);
    expect(Object.keys((document.components as Json).securitySchemes as Json)).toEqual(schemes);
    const paths = document.paths as Record<string, Record<string, Json>>;
    // Open routes need nothing; reads need credentials only when READS_REQUIRE_AUTH says so.
    expect(paths['/health']?.get?.security).toEqual([]);
    expect(paths['/agents/{id}']?.get?.security).toEqual(readsRequireAuth ? undefined : [{}, ...schemes.map((name) => ({ [name]: [] }))]);
    expect(paths['/agents/{id}']?.delete?.security).toBeUndefined();
  });

  it('of a read-only mirror says that every write may answer 403', async () => {
    const document = openApiDocument({ version: VERSION, operations: servedOperations({ api: true, metrics: true, mirror: true }), authMode: 'none', readsRequireAuth: false });
    expect((await validationOf(document)).valid).toBe(true);
    const paths = document.paths as Record<string, Record<string, { responses: Json }>>;
    expect(Object.keys(paths['/agents/{id}/ping']?.post?.responses ?? {})).toContain('403');
    expect(Object.keys(paths['/domains/{domain}/challenge']?.post?.responses ?? {})).toContain('403');
    expect(Object.keys(paths['/agents/{id}']?.get?.responses ?? {})).not.toContain('403');
  });

  it('of a worker holds only the service routes', async () => {
    const document = openApiDocument({ version: VERSION, operations: servedOperations({ api: false, metrics: true, mirror: false }), authMode: 'none', readsRequireAuth: false });
    expect((await validationOf(document)).valid).toBe(true);
    expect(documentedRoutes(document).sort()).toEqual(
      ['GET /', 'GET /health', 'GET /ready', 'GET /metrics', 'GET /.well-known/agent-card.json', 'GET /.well-known/agent.json', 'GET /openapi.json'].sort(),
    );
  });
});
