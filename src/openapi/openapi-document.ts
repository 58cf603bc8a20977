import { z } from 'zod';
import type { ApiOperation, ApiParameter, ApiResponse } from '../http/api-description.js';
import { namedSchemaList } from '../http/named-schemas.js';

// Assembles the OpenAPI 3.1 document from the operations the features describe with their own zod
// schemas. OpenAPI 3.1's schemas are JSON Schema 2020-12, which zod writes itself.

type Json = Record<string, unknown>;

export interface OpenApiOptions {
  version: string;
  /** Every operation the process serves. */
  operations: readonly ApiOperation[];
  /** AUTH_MODE: which credentials the API takes. */
  authMode: 'none' | 'apikey' | 'jwt';
  /** READS_REQUIRE_AUTH: reads need credentials too. */
  readsRequireAuth: boolean;
}

const SCHEMA_REF = '#/components/schemas/';
const TARGET = 'draft-2020-12';

/** What each tag holds. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  agents: 'Register, read, list, search and delete agent cards',
  extensions: 'The catalog of the extensions registered cards declare',
  domains: 'Domain proofs: a principal that proves a domain owns the agents on it',
  catalogs: 'The AI Catalogs callers ingested: their state, and stopping their sync',
  changes: 'The change log, as pages or as a stream',
  discovery: 'AI Catalog documents (nested pages, signed with CATALOG_SIGNING_KEY) and the ARD registry API, with the ARD error envelope',
  jsonrpc: 'The JSON-RPC 2.0 door, with every operation of the REST door and more',
  service: 'Health, readiness, metrics, the registry\'s own card and this document',
};

/** Drops what each generated schema says of itself: the document is one 2020-12 whole, its names are its components'. */
function bare(schema: Json): Json {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

/**
 * The components of one direction (`input`: what clients send; `output`: what the registry
 * answers) and each used schema's reference. Every named schema is converted, so that nested ones
 * become references too; unnamed ones used by an operation are inlined where used.
 */
function convert(used: readonly z.ZodType[], io: 'input' | 'output') {
  const inlineIds = new Map<z.ZodType, string>();
  const registry = z.registry<{ id: string }>();
  const names = new Map<z.ZodType, string>();
  for (const [id, schema] of namedSchemaList()) {
    registry.add(schema, { id });
    names.set(schema, id);
  }
  for (const schema of used) {
    if (names.has(schema) || inlineIds.has(schema)) continue;
    const id = `inline-${inlineIds.size}`;
    inlineIds.set(schema, id);
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, { target: TARGET, io, unrepresentable: 'any', uri: (id) => `${SCHEMA_REF}${id}` }) as { schemas: Record<string, Json> };
  const inline = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(inline);
    if (typeof value !== 'object' || value === null) return value;
    const ref = (value as Json).$ref;
    if (typeof ref === 'string' && ref.startsWith(`${SCHEMA_REF}inline-`)) return inline(bare(schemas[ref.slice(SCHEMA_REF.length)] as Json));
    return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, inline(v)]));
  };
  const components = Object.fromEntries(
    Object.entries(schemas)
      .filter(([id]) => !id.startsWith('inline-'))
      .map(([id, schema]) => [id, inline(bare(schema))]),
  );
  const refOf = (schema: z.ZodType): Json => {
    const id = names.get(schema) ?? inlineIds.get(schema);
    if (id === undefined) throw new Error('A schema was not converted');
    return names.has(schema) ? { $ref: `${SCHEMA_REF}${id}` } : (inline(bare(schemas[id] as Json)) as Json);
  };
  return { components: components as Record<string, Json>, refOf };
}

/** The component names each schema refers to, directly or through others. */
function referencedNames(value: unknown, components: Record<string, Json>, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) referencedNames(item, components, found);
  else if (typeof value === 'object' && value !== null) {
    const ref = (value as Json).$ref;
    if (typeof ref === 'string' && ref.startsWith(SCHEMA_REF)) {
      const id = ref.slice(SCHEMA_REF.length);
      if (!found.has(id)) {
        found.add(id);
        referencedNames(components[id], components, found);
      }
    }
    for (const v of Object.values(value)) referencedNames(v, components, found);
  }
  return found;
}

/** A parameter's schema: query and header values are text the door turns into numbers and flags, so it is shown as the door reads it. */
function parameterOf(parameter: ApiParameter): Json {
  const schema = bare(z.toJSONSchema(parameter.schema, { target: TARGET, io: 'input', unrepresentable: 'any' }) as Json);
  return {
    name: parameter.name,
    in: parameter.in,
    description: parameter.description,
    required: parameter.required ?? parameter.in === 'path',
    schema,
  };
}

function responseOf(response: ApiResponse, refOf: (schema: z.ZodType) => Json): Json {
  return {
    description: response.description,
    ...(response.headers
      ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
      : {}),
    ...(response.schema ? { content: { [response.contentType ?? 'application/json']: { schema: refOf(response.schema) } } } : {}),
  };
}

/** The security schemes of AUTH_MODE, by name; none when every caller acts as an admin. */
function securitySchemesOf(mode: OpenApiOptions['authMode']): Record<string, Json> {
  switch (mode) {
    case 'none':
      return {};
    case 'apikey':
      return {
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key of this registry' },
        bearer: { type: 'http', scheme: 'bearer', description: 'An API key of this registry, as a bearer token' },
      };
    case 'jwt':
      return { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A JWT from the configured issuer' } };
  }
}

/** The OpenAPI 3.1 document of the operations given. */
export function openApiDocument(options: OpenApiOptions): Json {
  const { operations } = options;
  const inputs = convert(operations.flatMap((op) => (op.requestBody ? [op.requestBody.schema] : [])), 'input');
  const outputs = convert(operations.flatMap((op) => Object.values(op.responses).flatMap((r) => (r.schema ? [r.schema] : []))), 'output');

  const schemes = securitySchemesOf(options.authMode);
  const anyScheme = Object.keys(schemes).map((name) => ({ [name]: [] }));
  const securityOf = (access: ApiOperation['access']): Json[] | undefined => {
    // No schemes (AUTH_MODE=none): nothing is asked of anyone, and nothing needs saying.
    if (anyScheme.length === 0) return undefined;
    if (access === 'open') return [];
    // A read anyone may make: credentials are optional (they choose the rate limit budget and ownership).
    return access === 'read' && !options.readsRequireAuth ? [{}, ...anyScheme] : undefined;
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const op of operations) {
    const security = securityOf(op.access);
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`${op.method.toUpperCase()} ${op.path} is described twice`);
    item[op.method] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      tags: [op.tag],
      ...(op.parameters ? { parameters: op.parameters.map(parameterOf) } : {}),
      ...(op.requestBody
        ? { requestBody: { required: true, description: op.requestBody.description, content: { 'application/json': { schema: inputs.refOf(op.requestBody.schema) } } } }
        : {}),
      responses: Object.fromEntries(Object.entries(op.responses).map(([status, response]) => [status, responseOf(response, outputs.refOf)])),
      ...(security ? { security } : {}),
    };
  }

  // Only the components some operation refers to, each under one name: a schema named in both directions must read the same in both.
  const bodies = Object.values(paths).flatMap((item) => Object.values(item));
  const inputNames = referencedNames(bodies.map((op) => op.requestBody), inputs.components);
  const outputNames = referencedNames(bodies.map((op) => op.responses), outputs.components);
  const schemas: Record<string, Json> = {};
  for (const id of [...new Set([...inputNames, ...outputNames])].sort()) {
    const input = inputNames.has(id) ? inputs.components[id] : undefined;
    const output = outputNames.has(id) ? outputs.components[id] : undefined;
    if (input && output && JSON.stringify(input) !== JSON.stringify(output)) throw new Error(`Schema ${id} reads differently as a request and as a response`);
    schemas[id] = (output ?? input) as Json;
  }

  const tags = [...new Set(operations.map((op) => op.tag))].map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'A2A Registry',
      version: options.version,
      description: 'A registry of Agent2Agent (A2A) agent cards. Every error answers the `Error` envelope.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags,
    paths,
    components: { schemas, ...(Object.keys(schemes).length > 0 ? { securitySchemes: schemes } : {}) },
    ...(anyScheme.length > 0 ? { security: anyScheme } : {}),
  };
}
