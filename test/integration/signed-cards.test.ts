import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/authenticators.js';
import { cardV1, legacyCard } from '../helpers/cards.js';
import { sendJson } from '../helpers/registry-server.js';
import { flattenedSignature, newSigner, type Signer } from '../helpers/signing.js';
import { useRegistry } from '../helpers/use-registry.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();

let trusted: Signer;
let stranger: Signer;

beforeAll(async () => {
  trusted = await newSigner('ES256', 'trusted-key');
  stranger = await newSigner('EdDSA', 'stranger-key');
});

async function signedCard(name: string, signer: Signer): Promise<Record<string, unknown>> {
  const card = cardV1({ name });
  return { ...card, signatures: [await flattenedSignature(card, signer)] };
}

/** A registry that trusts the `trusted` key (made in beforeAll, so the environment is read when it starts). */
function trustingRegistry(extra: Record<string, string> = {}) {
  return useRegistry(() => ({
    ROLE: 'api',
    SIGNATURE_ORIGIN_JWKS: 'false',
    SIGNATURE_TRUSTED_JWKS: JSON.stringify({ keys: [trusted.publicJwk] }),
    ...extra,
  }));
}

describe('signature status of registered cards', () => {
  const registry = trustingRegistry();

  it('marks a card signed by a trusted key verified, and keeps its bytes for later checks', async () => {
    const card = await signedCard('Signed Agent', trusted);
    const text = JSON.stringify({ agent_card: card }, null, 2);
    const created = await json(await sendJson(`${registry.base}/agents`, 'POST', text));
    expect(created.signature_status).toBe('verified');
    const stored = await (await fetch(`${registry.base}/agents/signed-agent/card`)).text();
    expect(JSON.parse(stored)).toEqual(card);
  });

  it('marks a card changed after signing invalid', async () => {
    const card = await signedCard('Tampered Agent', trusted);
    const tampered = { ...card, description: 'Something else entirely' };
    expect((await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: tampered }))).signature_status).toBe('invalid');
  });

  it('marks a card signed by an unknown key invalid and a card without signatures unsigned', async () => {
    const foreign = await signedCard('Foreign Agent', stranger);
    expect((await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: foreign }))).signature_status).toBe('invalid');
    const plain = cardV1({ name: 'Plain Agent' });
    expect((await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: plain }))).signature_status).toBe('unsigned');
  });

  it('checks the signatures of any card that has the member, legacy cards and empty lists included', async () => {
    const legacy = { ...legacyCard({ name: 'Legacy Signed Agent' }), signatures: [{ protected: 'eyJhbGciOiJFUzI1NiJ9', signature: 'AAAA' }] };
    expect((await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: legacy }))).signature_status).toBe('invalid');
    const emptyList = cardV1({ name: 'Empty List Agent', signatures: [] });
    expect((await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: emptyList }))).signature_status).toBe('unsigned');
  });

  it('filters search results by signature status', async () => {
    const page = await json(await fetch(`${registry.base}/agents?signature_status=verified`));
    expect(page.results.map((r: { agent_id: string }) => r.agent_id)).toEqual(['signed-agent']);
    expect(page.results[0].signature_status).toBe('verified');
    const unsigned = await json(await fetch(`${registry.base}/agents?signature_status=unsigned`));
    expect(unsigned.results.map((r: { agent_id: string }) => r.agent_id)).toContain('plain-agent');
  });
});

describe('REQUIRE_SIGNED_CARDS', () => {
  const registry = trustingRegistry({ REQUIRE_SIGNED_CARDS: 'true' });

  it('accepts a card with a verified signature', async () => {
    const response = await sendJson(`${registry.base}/agents`, 'POST', { agent_card: await signedCard('Required Agent', trusted) });
    expect(response.status).toBe(201);
  });

  it('refuses unsigned and invalid cards with a clear 400 and stores nothing', async () => {
    const unsigned = await sendJson(`${registry.base}/agents`, 'POST', { agent_card: cardV1({ name: 'Bare Agent' }) });
    expect(unsigned.status).toBe(400);
    const body = await json(unsigned);
    expect(body.error.code).toBe('signature_required');
    expect(body.error.violations[0].path).toBe('$.agent_card.signatures');
    const invalid = await sendJson(`${registry.base}/agents`, 'POST', { agent_card: await signedCard('Stranger Agent', stranger) });
    expect(invalid.status).toBe(400);
    expect(await registry.redis.exists(`${registry.prefix}agent:bare-agent`, `${registry.prefix}agent:stranger-agent`)).toBe(0);
  });
});

describe("keys from the JWKS at the card's own origin", () => {
  const served: string[] = [];
  let origin = '';
  let server: Server;
  const registry = useRegistry(() => ({ ROLE: 'api', OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' }));

  beforeAll(async () => {
    server = createServer((req, res) => {
      served.push(req.url ?? '');
      if (req.url !== '/.well-known/jwks.json') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [trusted.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function cardAtOrigin(name: string, signer: Signer): Promise<Record<string, unknown>> {
    const card = cardV1({ name, supportedInterfaces: [{ url: `${origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] });
    return { ...card, signatures: [await flattenedSignature(card, signer)] };
  }

  it("verifies a card with a key its origin publishes, fetched from the origin's well-known JWKS", async () => {
    const saved = await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: await cardAtOrigin('Origin Signed', trusted) }));
    expect(saved.signature_status).toBe('verified');
    expect(served).toContain('/.well-known/jwks.json');
  });

  it('marks a card signed with a key its origin does not publish invalid', async () => {
    const saved = await json(await sendJson(`${registry.base}/agents`, 'POST', { agent_card: await cardAtOrigin('Origin Stranger', stranger) }));
    expect(saved.signature_status).toBe('invalid');
  });
});

describe("a signed card for another owner's agent", () => {
  const served: string[] = [];
  let origin = '';
  let server: Server;
  const keys = { alice: 'alice-secret-key', bob: 'bob-secret-key' };
  const registry = useRegistry(() => ({
    ROLE: 'api',
    AUTH_MODE: 'apikey',
    API_KEYS: `alice:publisher:${sha256Hex(keys.alice)},bob:publisher:${sha256Hex(keys.bob)}`,
    OUTBOUND_ALLOW_HTTP: 'true',
    OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
  }));

  beforeAll(async () => {
    server = createServer((req, res) => {
      served.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [trusted.publicJwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("is refused with 403 before the registry fetches the signer's keys from the card's origin", async () => {
    const put = (key: string, card: Record<string, unknown>) =>
      fetch(`${registry.base}/agents/owned-by-alice`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ agent_card: card }),
      });
    expect((await put(keys.alice, cardV1({ name: 'Owned' }))).status).toBe(201);
    const card = cardV1({ name: 'Taken', supportedInterfaces: [{ url: `${origin}/a2a`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] });
    const res = await put(keys.bob, { ...card, signatures: [await flattenedSignature(card, trusted)] });
    expect(res.status).toBe(403);
    expect(served).toEqual([]);
  });
});
