import { FIND_AGENTS_SKILL } from '../discovery-agent/find-agents.js';
import { ARD_BASE } from '../ard/ard-base.js';

/** The extension URI that names the ARD registry API: its specification. */
const ARD_EXTENSION_URI = 'https://github.com/ards-project/ard-spec';

/**
 * The registry's discovery documents, as an optional extension of its card: A2A cards have no field
 * for a registry API, and an extension's `params` carry where it is without changing what clients must do.
 */
function discoveryExtension(publicUrl: string) {
  return {
    uri: ARD_EXTENSION_URI,
    description: 'Agentic Resource Discovery: the registry API at params.ardApiBase (POST /search, GET /agents/{identifier}), and AI Catalogs of every agent',
    required: false,
    params: { ardApiBase: `${publicUrl}${ARD_BASE}`, ardManifest: `${publicUrl}/.well-known/ard.json`, aiCatalog: `${publicUrl}/.well-known/ai-catalog.json` },
  };
}

/**
 * What a caller of `SendMessage` must send: nothing, or the credentials of the registry's
 * `AUTH_MODE` when `READS_REQUIRE_AUTH` is on (an API key, as `X-API-Key` or a bearer token; or a JWT).
 */
export type ReadCredentials = 'none' | 'apikey' | 'jwt';

/** The card's security schemes and requirements (alternatives: any one scheme will do), as A2A 1.0 writes them. */
function securityOf(credentials: ReadCredentials) {
  if (credentials === 'none') return {};
  const bearer = {
    httpAuthSecurityScheme: {
      scheme: 'Bearer',
      ...(credentials === 'jwt' ? { bearerFormat: 'JWT', description: 'A JWT from the registry issuer' } : { description: 'An API key of this registry' }),
    },
  };
  const schemes: Record<string, unknown> = { bearer };
  if (credentials === 'apikey') {
    schemes.apiKey = { apiKeySecurityScheme: { location: 'header', name: 'X-API-Key', description: 'An API key of this registry' } };
  }
  return {
    securitySchemes: schemes,
    securityRequirements: Object.keys(schemes).map((name) => ({ schemes: { [name]: { list: [] } } })),
  };
}

/**
 * The registry's own A2A 1.0 agent card, served at `/.well-known/agent-card.json`. It advertises only
 * what an A2A client can use: the JSON-RPC binding at `/jsonrpc`, where `SendMessage` answers the
 * one skill, finding agents, and the credentials that call needs. The registry's REST API is not the A2A HTTP+JSON binding (it has no
 * `/message:send`), and its other JSON-RPC methods are not reached through messages, so neither is
 * listed here; the documentation URL leads to them.
 */
export function registryCard(publicUrl: string, version: string, credentials: ReadCredentials) {
  return {
    name: 'A2A Registry',
    description:
      'A registry of Agent2Agent (A2A) agent cards. Send it a message saying what you need and it answers the registered agents that match best.',
    version,
    supportedInterfaces: [{ url: `${publicUrl}/jsonrpc`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    provider: { organization: 'A2A Registry', url: publicUrl },
    documentationUrl: `${publicUrl}/`,
    capabilities: { streaming: false, pushNotifications: false, extendedAgentCard: false, extensions: [discoveryExtension(publicUrl)] },
    ...securityOf(credentials),
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['application/json', 'text/plain'],
    skills: [FIND_AGENTS_SKILL],
  };
}

/**
 * The registry's card as `get_agent_card` answers it: the 1.0 card with the 0.3 fields beside it
 * (`url`, `protocolVersion`, `preferredTransport`, and their snake_case spellings, which clients of
 * the earlier registry read). A card may carry both shapes; 1.0 readers go by `supportedInterfaces`.
 */
export function registryCardWithEarlierFields(publicUrl: string, version: string, credentials: ReadCredentials) {
  const fields = { url: `${publicUrl}/jsonrpc`, protocolVersion: '0.3.0', preferredTransport: 'JSONRPC' };
  return {
    ...registryCard(publicUrl, version, credentials),
    ...fields,
    protocol_version: fields.protocolVersion,
    preferred_transport: fields.preferredTransport,
  };
}
