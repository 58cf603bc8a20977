/**
 * Cards signed by the official JavaScript SDK (`@a2a-js/sdk`, its own `generateAgentCardSignature`),
 * registered through the HTTP API and read back: every shape whose signature covers what a reader
 * sees verifies, any change after signing does not, and shapes the SDK's signature leaves partly
 * uncovered are refused with a reason on the record.
 */
import { generateAgentCardSignature, verifyAgentCardSignature, type AgentCard } from '@a2a-js/sdk';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

type Card = Record<string, unknown>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();

let privateKey: CryptoKey;
let publicJwk: JWK;
/** A key the registry trusted until its `exp`, an hour ago. */
let retiredKey: CryptoKey;
let retiredJwk: JWK;

beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'sdk-key', alg: 'ES256', use: 'sig' };
  const retired = await generateKeyPair('ES256', { extractable: true });
  retiredKey = retired.privateKey;
  retiredJwk = { ...(await exportJWK(retired.publicKey)), kid: 'retired-key', alg: 'ES256', use: 'sig', exp: Math.floor(Date.now() / 1000) - 3600 } as JWK;
});

const registry = useRegistry(() => ({
  ROLE: 'api',
  SIGNATURE_ORIGIN_JWKS: 'false',
  SIGNATURE_TRUSTED_JWKS: JSON.stringify({ keys: [publicJwk, retiredJwk] }),
}));

function baseCard(name: string, overrides: Card = {}): Card {
  return {
    name,
    description: 'Answers questions about the weather',
    version: '1.0.0',
    supportedInterfaces: [{ url: 'https://weather.example.com/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    capabilities: { streaming: true },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['application/json'],
    skills: [{ id: 'forecast', name: 'Forecast', description: 'Seven day forecast', tags: ['weather'] }],
    ...overrides,
  };
}

const API_KEY_SCHEME = { key: { apiKeySecurityScheme: { location: 'header', name: 'X-Api-Key' } } };
const OAUTH_SCHEME = {
  oauth: {
    oauth2SecurityScheme: {
      flows: {
        authorizationCode: {
          authorizationUrl: 'https://auth.example.com/authorize',
          tokenUrl: 'https://auth.example.com/token',
          scopes: { 'weather:read': 'Read forecasts', 'weather:alerts': 'Receive alerts' },
        },
      },
    },
  },
};

/** Shapes whose SDK signature covers everything a reader sees: each must verify. */
const COVERED: Record<string, Card> = {
  'a plain card': {},
  'capabilities: {}': { capabilities: {} },
  'an empty vendor field': { 'x-vendor': '' },
  'skillQuery: false': { capabilities: { streaming: true, skillQuery: false } },
  'OAuth scopes': { securitySchemes: OAUTH_SCHEME, securityRequirements: [{ schemes: { oauth: { list: ['weather:read'] } } }] },
  'an icon and documentation': { iconUrl: 'https://weather.example.com/icon.png', documentationUrl: 'https://weather.example.com/docs' },
  'a provider': { provider: { organization: 'Weather Co', url: 'https://weather.example.com' } },
  'extensions with params': {
    capabilities: {
      streaming: false,
      extensions: [
        { uri: 'https://example.com/ext/geo', description: 'Geo', required: true, params: { regions: ['eu', 'us'], depth: 3, nested: { on: true } } },
        { uri: 'https://example.com/ext/plain', required: false, description: '' },
      ],
    },
  },
  'skills with examples and modes': {
    skills: [
      { id: 'forecast', name: 'Forecast', description: 'Seven day forecast', tags: ['weather'], examples: ['Rain in Oslo?'], inputModes: ['text/plain'], outputModes: ['image/png'] },
    ],
  },
  'an interface with a tenant': {
    supportedInterfaces: [{ url: 'https://weather.example.com/a2a', protocolBinding: 'HTTP+JSON', protocolVersion: '1.0', tenant: 'eu' }],
  },
};

/** Shapes the SDK's signature leaves partly uncovered, and a path it does not cover. */
const UNCOVERED: Record<string, { overrides: Card; path: string }> = {
  'a vendor field with a value': { overrides: { 'x-vendor': 'acme' }, path: '$.x-vendor' },
  'skillQuery: true': { overrides: { capabilities: { streaming: true, skillQuery: true } }, path: '$.capabilities.skillQuery' },
  'an empty string in extension params': {
    overrides: { capabilities: { extensions: [{ uri: 'https://example.com/ext/geo', params: { mode: '', depth: 3 } }] } },
    path: '$.capabilities.extensions[0].params',
  },
  'a security requirement with an empty scope list': {
    overrides: { securitySchemes: API_KEY_SCHEME, securityRequirements: [{ schemes: { key: { list: [] } } }] },
    path: '$.securityRequirements',
  },
};

async function sdkSigned(card: Card): Promise<Card> {
  const sign = generateAgentCardSignature(privateKey, { alg: 'ES256', kid: 'sdk-key', typ: 'JOSE' });
  return (await sign(card as unknown as AgentCard)) as unknown as Card;
}

let counter = 0;

/** Registers the card under a fresh id through REST and reads its record back. */
async function registerAndRead(card: Card) {
  const id = `sdk-${++counter}`;
  const created = await sendJson(`${registry.base}/agents/${id}`, 'PUT', { agent_card: card });
  expect(created.status).toBeLessThan(300);
  return json(await fetch(`${registry.base}/agents/${id}`));
}

/** Changes made to a signed card after signing; none may verify. */
const TAMPERINGS: Record<string, (card: Card) => void> = {
  'description changed': (card) => {
    card.description = 'Sends your data elsewhere';
  },
  'interface URL changed': (card) => {
    card.supportedInterfaces = [{ url: 'https://evil.example.net/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }];
  },
  'a tag added': (card) => {
    card.skills = [{ id: 'forecast', name: 'Forecast', description: 'Seven day forecast', tags: ['weather', 'payments'] }];
  },
  'a vendor field added': (card) => {
    card['x-added'] = 'surprise';
  },
  'skillQuery turned on': (card) => {
    card.capabilities = { ...(card.capabilities as Card), skillQuery: true };
  },
  'a security requirement added': (card) => {
    card.securitySchemes = API_KEY_SCHEME;
    card.securityRequirements = [{ schemes: { key: { list: [] } } }];
  },
  'an empty param added to an extension': (card) => {
    card.capabilities = { ...(card.capabilities as Card), extensions: [{ uri: 'https://example.com/ext/geo', params: { debug: '' } }] };
  },
};

describe('cards signed with @a2a-js/sdk', () => {
  for (const [shape, overrides] of Object.entries(COVERED)) {
    it(`verify with ${shape}, and not after any change`, async () => {
      const signed = await sdkSigned(baseCard('SDK Agent', overrides));
      const record = await registerAndRead(signed);
      expect(record).toMatchObject({ signature_status: 'verified' });
      expect(['a2a-spec', 'a2a-sdk', 'jcs']).toContain(record.signature_form);
      expect(record.signature_error).toBeUndefined();
      for (const [change, tamper] of Object.entries(TAMPERINGS)) {
        const tampered = structuredClone(signed);
        tamper(tampered);
        const read = await registerAndRead(tampered);
        expect({ change, status: read.signature_status }).toEqual({ change, status: 'invalid' });
        expect(read.signature_error.code).toMatch(/^(bad_signature|uncovered_content)$/);
      }
    });
  }

  for (const [shape, { overrides, path }] of Object.entries(UNCOVERED)) {
    it(`with ${shape} are invalid, saying what the signature does not cover`, async () => {
      const signed = await sdkSigned(baseCard('SDK Agent', overrides));
      const record = await registerAndRead(signed);
      expect(record).toMatchObject({ signature_status: 'invalid', signature_error: { code: 'uncovered_content' } });
      expect(record.signature_error.message).toContain(path);
    });
  }

  it('a vendor field the signature does not cover cannot be changed into a verified card', async () => {
    const signed = await sdkSigned(baseCard('SDK Agent', { 'x-vendor': 'acme' }));
    const tampered = { ...signed, 'x-vendor': 'evil' };
    // The SDK's own verifier accepts the changed card: its signature never covered the field.
    const sdkVerify = verifyAgentCardSignature(async () => publicJwk);
    await expect(sdkVerify(tampered as unknown as AgentCard)).resolves.toBeUndefined();
    expect((await registerAndRead(tampered)).signature_status).toBe('invalid');
  });

  it('a 0.3 card signed by the SDK is invalid: its 1.0 proto drops url and protocolVersion', async () => {
    const card = {
      name: 'Old Agent',
      description: 'A 0.3 agent',
      url: 'https://old.example.com/a2a',
      protocolVersion: '0.3.0',
      version: '1.0.0',
      capabilities: { streaming: false },
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['text/plain'],
      skills: [{ id: 'echo', name: 'Echo', description: 'Echoes', tags: ['echo'] }],
    };
    const record = await registerAndRead(await sdkSigned(card));
    expect(record).toMatchObject({ signature_status: 'invalid', signature_error: { code: 'uncovered_content' } });
    expect(record.signature_error.message).toContain('$.url');
  });
});

describe('signature_error on the record', () => {
  it('names a signature by an unknown kid, over REST and JSON-RPC', async () => {
    const { privateKey: other } = await generateKeyPair('ES256');
    const sign = generateAgentCardSignature(other, { alg: 'ES256', kid: 'unknown-key', typ: 'JOSE' });
    const card = (await sign(baseCard('Stranger Agent') as unknown as AgentCard)) as unknown as Card;
    const record = await registerAndRead(card);
    expect(record.signature_error).toEqual({ code: 'no_trusted_key', message: 'signatures[0]: no trusted key "unknown-key"' });
    const rpc = await json(
      await sendJson(`${registry.base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method: 'GetAgentCard', params: { agentId: record.agent_id } }),
    );
    expect(rpc.result).toMatchObject({ signatureStatus: 'invalid', signatureError: { code: 'no_trusted_key' } });
    const legacy = await json(
      await sendJson(`${registry.base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 2, method: 'get_agent', params: { agent_id: record.agent_id } }),
    );
    expect(legacy.result.signature_error).toEqual(record.signature_error);
    const page = await json(await fetch(`${registry.base}/agents?signature_status=invalid&limit=200`));
    const listed = page.results.find((result: { agent_id: string }) => result.agent_id === record.agent_id);
    expect(listed.signature_error).toEqual(record.signature_error);
  });

  it('names a key past the exp of its JWK', async () => {
    const sign = generateAgentCardSignature(retiredKey, { alg: 'ES256', kid: 'retired-key', typ: 'JOSE' });
    const card = (await sign(baseCard('Retired Agent') as unknown as AgentCard)) as unknown as Card;
    const record = await registerAndRead(card);
    expect(record).toMatchObject({ signature_status: 'invalid', signature_error: { code: 'expired_key' } });
    expect(record.signature_error.message).toContain('"retired-key" expired at');
  });

  it('names a bad signature, an algorithm off the allow-list and a malformed entry', async () => {
    const signed = await sdkSigned(baseCard('Odd Agent'));
    const [entry] = signed.signatures as Card[];
    const cases: Array<[Card, string]> = [
      [{ ...signed, description: 'changed' }, 'bad_signature'],
      [{ ...signed, signatures: [{ ...entry, protected: Buffer.from('{"alg":"HS256","kid":"sdk-key"}').toString('base64url') }] }, 'unsupported_alg'],
      [{ ...signed, signatures: [{ protected: '%%%', signature: 'AAAA' }] }, 'malformed_signature'],
    ];
    for (const [card, code] of cases) {
      expect((await registerAndRead(card)).signature_error.code).toBe(code);
    }
  });

  it('is absent from unsigned and verified records', async () => {
    const plain = await registerAndRead(baseCard('Plain Agent'));
    expect(plain).toMatchObject({ signature_status: 'unsigned' });
    expect(plain).not.toHaveProperty('signature_error');
    expect(plain).not.toHaveProperty('signature_form');
  });
});

describe('signature_error in write answers and their retries', () => {
  it('answers it when a card is written, and again when the write is retried with the same Idempotency-Key', async () => {
    const signed = await sdkSigned(baseCard('Retried Agent', { 'x-vendor': 'acme' }));
    const headers = { 'Idempotency-Key': `retry-${Date.now()}` };
    const first = await json(await sendJson(`${registry.base}/agents/retried`, 'PUT', { agent_card: signed }, headers));
    const again = await json(await sendJson(`${registry.base}/agents/retried`, 'PUT', { agent_card: signed }, headers));
    expect(first.signature_error.code).toBe('uncovered_content');
    expect(again).toEqual(first);
  });
});

describe('REQUIRE_SIGNED_CARDS with cards signed by @a2a-js/sdk', () => {
  const strict = useRegistry(() => ({
    ROLE: 'api',
    REQUIRE_SIGNED_CARDS: 'true',
    SIGNATURE_ORIGIN_JWKS: 'false',
    SIGNATURE_TRUSTED_JWKS: JSON.stringify({ keys: [publicJwk] }),
  }));

  it('registers an SDK-signed card with capabilities: {}', async () => {
    const signed = await sdkSigned(baseCard('Strict Agent', { capabilities: {} }));
    const response = await sendJson(`${strict.base}/agents`, 'POST', { agent_card: signed });
    expect(response.status).toBe(201);
    expect(await json(response)).toMatchObject({ signature_status: 'verified', signature_form: 'a2a-sdk' });
  });

  it('refuses one whose signature leaves content uncovered, saying so', async () => {
    const signed = await sdkSigned(baseCard('Strict Agent Two', { securitySchemes: API_KEY_SCHEME, securityRequirements: [{ schemes: { key: { list: [] } } }] }));
    const response = await sendJson(`${strict.base}/agents`, 'POST', { agent_card: signed });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.error.code).toBe('signature_required');
    expect(body.error.message).toContain('uncovered_content');
  });
});
