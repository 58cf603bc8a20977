import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/authenticators.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();
const KEYS = { alice: 'alice-key', mallory: 'mallory-key', bob: 'bob-key', root: 'root-key' };
const API_KEYS = [
  `alice:publisher:${sha256Hex(KEYS.alice)}`,
  `mallory:publisher:${sha256Hex(KEYS.mallory)}`,
  `bob:publisher:${sha256Hex(KEYS.bob)}`,
  `root:admin:${sha256Hex(KEYS.root)}`,
].join(',');
type Who = keyof typeof KEYS;
const as = (who: Who) => ({ authorization: `Bearer ${KEYS[who]}` });
const CHALLENGE_PATH = '/.well-known/a2a-registry-challenge/';

/** A card served at `urls` (each an interface). */
const cardAt = (name: string, ...urls: string[]) =>
  cardV1({ name, supportedInterfaces: urls.map((url) => ({ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' })) });

/**
 * The real owner's web server on loopback (`localhost`): its agent card at the well-known path, and
 * whatever challenge documents its owner published.
 */
function ownersServer() {
  const published = new Map<string, string>();
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = req.url ?? '';
      if (path === '/.well-known/agent-card.json') {
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(cardAt('Acme Agent', `http://localhost:${port}/a2a`)));
      }
      const document = path.startsWith(CHALLENGE_PATH) ? published.get(path.slice(CHALLENGE_PATH.length)) : undefined;
      if (document === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(document);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return {
    /** Serves `document` (the challenge's own by default) at the challenge path of `token`. */
    publish: (token: string, document: unknown = { token }) => published.set(token, JSON.stringify(document)),
    get port() {
      return port;
    },
    get origin() {
      return `http://localhost:${port}`;
    },
    /** The registry settings that let it reach this server: loopback, plain http, its port. */
    env: () => ({
      OUTBOUND_ALLOW_HTTP: 'true',
      OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true',
      DOMAIN_CHALLENGE_URL: `http://{domain}:${port}${CHALLENGE_PATH}{token}`,
    }),
  };
}

describe('domain proof over REST (Redis store)', () => {
  const owner = ownersServer();
  const registry = useRegistry(() => ({ AUTH_MODE: 'apikey', API_KEYS, ROLE: 'api', ...owner.env() }));
  const call = (method: string, path: string, who?: Who, body: unknown = {}) =>
    sendJson(`${registry.base}${path}`, method, method === 'GET' ? undefined : body, who ? as(who) : {});
  const get = (path: string) => fetch(`${registry.base}${path}`);
  /** Asks for a challenge as `who`, publishes it on the owner's server and verifies it. */
  const prove = async (who: Who, domain = 'localhost') => {
    const challenge = await json(await call('POST', `/domains/${domain}/challenge`, who));
    owner.publish(challenge.token);
    return call('POST', `/domains/${domain}/verify`, who);
  };

  it('lets a squatter hold an agent only until the real owner proves its domain, then refuses the squatter', async () => {
    const squatted = await call('POST', '/agents/register-url', 'mallory', { url: owner.origin });
    expect(squatted.status).toBe(201);
    const { agent_id: id, domain_verified: verifiedAtFirst } = await json(squatted);
    expect(id).toBe('acme-agent');
    expect(verifiedAtFirst).toBe(false);
    const refusedOwner = await call('PUT', `/agents/${id}`, 'alice', { agent_card: cardAt('Acme Agent', `${owner.origin}/a2a`) });
    expect(refusedOwner.status).toBe(403);
    expect((await json(await get('/agents/search?q=acme'))).results.map((r: { agent_id: string }) => r.agent_id)).toEqual([id]);

    const challengeResponse = await call('POST', '/domains/localhost/challenge', 'alice');
    expect(challengeResponse.status).toBe(201);
    const challenge = await json(challengeResponse);
    expect(challenge).toMatchObject({ domain: 'localhost', method: 'http-challenge', url: `${owner.origin}${CHALLENGE_PATH}${challenge.token}`, document: { token: challenge.token } });
    expect(challenge.token).toMatch(/^[\w-]{43}$/);
    expect(Date.parse(challenge.expires_at)).toBeGreaterThan(Date.now());
    owner.publish(challenge.token);
    const verified = await call('POST', '/domains/localhost/verify', 'alice');
    expect(verified.status).toBe(200);
    expect(await json(verified)).toMatchObject({ verified: true, domain: 'localhost', owner: 'alice', method: 'http-challenge', agents_taken_over: 1 });

    const record = await json(await get(`/agents/${id}`));
    expect(record.domain_verified).toBe(true);
    expect(record.owner_changes).toEqual([{ from: 'mallory', to: 'alice', at: expect.any(String), reason: expect.stringContaining('localhost') }]);
    const claim = await json(await get('/domains/localhost'));
    expect(claim).toMatchObject({ domain: 'localhost', owner: 'alice', method: 'http-challenge', proven_at: expect.any(String) });

    for (const attempt of [
      call('PUT', `/agents/${id}`, 'mallory', { agent_card: cardAt('Acme Agent', `${owner.origin}/a2a`) }),
      call('POST', '/agents/register-url', 'mallory', { url: owner.origin, agent_id: 'acme-agent-2' }),
      call('POST', '/agents', 'mallory', { agent_card: cardAt('Acme Lookalike', `${owner.origin}/other`) }),
    ]) {
      const response = await attempt;
      expect(response.status).toBe(403);
      expect((await json(response)).error).toMatchObject({ code: 'domain_owned', details: { domain: 'localhost' } });
    }
    expect((await call('DELETE', `/agents/${id}`, 'mallory')).status).toBe(403);
    const updated = await call('PUT', `/agents/${id}`, 'alice', { agent_card: cardAt('Acme Agent', `${owner.origin}/a2a`, `http://eu.api.localhost:${owner.port}/a2a`) });
    expect(updated.status).toBe(200);
    expect((await json(updated)).domain_verified).toBe(true);
  });

  it("refuses others' cards on subdomains of a proven domain, and takes them for the prover", async () => {
    const response = await call('POST', '/agents', 'bob', { agent_card: cardAt('Bob Sub', 'https://agents.api.localhost/a2a') });
    expect(response.status).toBe(403);
    expect((await json(response)).error).toMatchObject({ code: 'domain_owned', details: { domain: 'localhost' } });
    const own = await call('POST', '/agents', 'alice', { agent_card: cardAt('Alice Sub', 'https://agents.api.localhost/a2a') });
    expect(own.status).toBe(201);
    expect((await json(own)).domain_verified).toBe(true);
  });

  it('refuses a verification with no challenge, with a used one, with a wrong token or without a published document', async () => {
    const none = await call('POST', '/domains/localhost/verify', 'bob');
    expect(none.status).toBe(404);
    expect((await json(none)).error.code).toBe('challenge_not_found');

    const challenge = await json(await call('POST', '/domains/localhost/challenge', 'bob'));
    const unpublished = await call('POST', '/domains/localhost/verify', 'bob');
    expect(unpublished.status).toBe(502);
    expect((await json(unpublished)).error.code).toBe('upstream_error');
    owner.publish(challenge.token, { token: 'not-the-token' });
    const wrong = await call('POST', '/domains/localhost/verify', 'bob');
    expect(wrong.status).toBe(422);
    expect((await json(wrong)).error).toMatchObject({ code: 'domain_proof_failed', details: { domain: 'localhost' } });
    owner.publish(challenge.token, `"${challenge.token}"`);
    expect((await call('POST', '/domains/localhost/verify', 'bob')).status).toBe(422);
    expect((await json(await get('/domains/localhost'))).owner).toBe('alice');

    // Alice's own earlier challenge was used up by her proof.
    const reused = await call('POST', '/domains/localhost/verify', 'alice');
    expect(reused.status).toBe(404);
  });

  it('refuses bad domains with 400 and anonymous challenges with 401', async () => {
    for (const domain of ['127.0.0.1', 'exa_mple.com', '-bad.example', 'a..b', 'example.com:8080', '%20', 'x'.repeat(64) + '.com']) {
      const response = await call('POST', `/domains/${encodeURIComponent(domain)}/challenge`, 'alice');
      expect(response.status, domain).toBe(400);
      expect((await json(response)).error.code).toBe('validation_failed');
    }
    expect((await call('POST', '/domains/example.com/challenge')).status).toBe(401);
    expect((await get('/domains/unclaimed.example')).status).toBe(404);
    expect((await json(await get('/domains/EXAMPLE.com.'))).error.code).toBe('domain_not_found');
    // An internationalised name is claimed in its punycode form, as URL hosts are compared.
    expect((await json(await get(`/domains/${encodeURIComponent('Bücher.example')}`))).error.message).toContain('xn--bcher-kva.example');
  });

  it('lets an admin write on a proven domain and remove a claim, which unverifies its agents', async () => {
    const byAdmin = await call('POST', '/agents', 'root', { agent_card: cardAt('Admin Placed', `${owner.origin}/admin`) });
    expect(byAdmin.status).toBe(201);
    expect((await json(byAdmin)).domain_verified).toBe(false);
    const notAdmin = await call('DELETE', '/domains/localhost', 'alice');
    expect(notAdmin.status).toBe(403);
    expect((await json(notAdmin)).error.code).toBe('forbidden');

    const removed = await call('DELETE', '/domains/localhost', 'root');
    expect(removed.status).toBe(200);
    expect(await json(removed)).toMatchObject({ removed: true, domain: 'localhost', agents_taken_over: 0 });
    expect((await get('/domains/localhost')).status).toBe(404);
    expect((await json(await get('/agents/acme-agent'))).domain_verified).toBe(false);
    expect((await call('POST', '/agents', 'mallory', { agent_card: cardAt('Now Open', `${owner.origin}/open`) })).status).toBe(201);
    expect((await call('DELETE', '/domains/localhost', 'root')).status).toBe(404);

    // Proving it again takes back what others registered meanwhile.
    const again = await prove('alice');
    expect(await json(again)).toMatchObject({ owner: 'alice', agents_taken_over: 2 });
  });
});

describe('domain proof over JSON-RPC (embedded store)', () => {
  const owner = ownersServer();
  let running: RunningRegistry;
  beforeAll(async () => {
    running = await startRegistry({ AUTH_MODE: 'apikey', API_KEYS, ...owner.env() });
  });
  afterAll(() => running.close());
  const rpc = async (who: Who, method: string, params: Record<string, unknown>) =>
    json(await sendJson(`${running.baseUrl}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method, params }, as(who)));

  it('proves a domain, takes the squatted agent over and refuses the squatter, in both naming styles', async () => {
    const squat = await rpc('mallory', 'register_agent', { agent_card: cardAt('Squatted', `${owner.origin}/a2a`) });
    expect(squat.result).toMatchObject({ agent_id: 'squatted', domain_verified: false });

    const challenge = (await rpc('alice', 'RequestDomainChallenge', { domain: 'LOCALHOST' })).result;
    expect(challenge).toMatchObject({ domain: 'localhost', url: `${owner.origin}${CHALLENGE_PATH}${challenge.token}`, expiresAt: expect.any(String) });
    owner.publish(challenge.token);
    expect((await rpc('alice', 'verify_domain', { domain: 'localhost' })).result).toMatchObject({ owner: 'alice', agents_taken_over: 1 });
    expect((await rpc('bob', 'GetDomainClaim', { domain: 'localhost' })).result).toMatchObject({ owner: 'alice', provenAt: expect.any(String) });
    expect((await rpc('bob', 'get_agent', { agent_id: 'squatted' })).result).toMatchObject({ domain_verified: true, owner_changes: [{ from: 'mallory', to: 'alice' }] });

    const refused = await rpc('mallory', 'RegisterAgentCard', { agentCard: cardAt('Squatted', `${owner.origin}/a2a`) });
    expect(refused.error.code).toBe(-32014);
    expect(refused.error.data[0]).toMatchObject({ reason: 'domain_owned', metadata: { domain: 'localhost' } });
  });

  it('answers a missing challenge, a wrong token, bad params and a non-admin removal with errors of their own', async () => {
    expect((await rpc('bob', 'verify_domain', { domain: 'localhost' })).error).toMatchObject({ code: -32019, data: [{ reason: 'challenge_not_found' }] });
    const challenge = (await rpc('bob', 'request_domain_challenge', { domain: 'localhost' })).result;
    owner.publish(challenge.token, { token: 'forged' });
    expect((await rpc('bob', 'VerifyDomain', { domain: 'localhost' })).error).toMatchObject({ code: -32018, data: [{ reason: 'domain_proof_failed' }] });
    expect((await rpc('bob', 'get_domain', { domain: '10.0.0.1' })).error.code).toBe(-32602);
    expect((await rpc('bob', 'get_domain', {})).error.code).toBe(-32602);
    expect((await rpc('alice', 'remove_domain', { domain: 'localhost' })).error.code).toBe(-32014);
    expect((await rpc('root', 'DeleteDomainClaim', { domain: 'localhost' })).result).toMatchObject({ removed: true, agentsChanged: 1 });
    expect((await rpc('root', 'get_domain', { domain: 'localhost' })).error.data[0].reason).toBe('domain_not_found');
  });
});

describe('a takeover seen by every replica', () => {
  const owner = ownersServer();
  const prefix = uniquePrefix();
  const redis = connect();
  let replicas: RunningRegistry[] = [];
  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, AUTH_MODE: 'apikey', API_KEYS, ROLE: 'api', ...owner.env() };
    replicas = await Promise.all([startRegistry(env), startRegistry(env)]);
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.close()));
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("drops the other replica's cached copy of each agent it takes over", async () => {
    const [reader, writer] = replicas as [RunningRegistry, RunningRegistry];
    const squat = await sendJson(`${writer.baseUrl}/agents`, 'POST', { agent_card: cardAt('Cached Squat', `${owner.origin}/a2a`) }, as('mallory'));
    expect(squat.status).toBe(201);
    // The reader caches the record as the squatter's.
    for (let i = 0; i < 2; i++) expect((await json(await fetch(`${reader.baseUrl}/agents/cached-squat`))).domain_verified).toBe(false);

    const challenge = await json(await sendJson(`${writer.baseUrl}/domains/localhost/challenge`, 'POST', {}, as('alice')));
    owner.publish(challenge.token);
    expect((await json(await sendJson(`${writer.baseUrl}/domains/localhost/verify`, 'POST', {}, as('alice')))).agents_taken_over).toBe(1);

    await expect.poll(async () => (await json(await fetch(`${reader.baseUrl}/agents/cached-squat`))).domain_verified, { timeout: 5000 }).toBe(true);
    const refused = await sendJson(`${reader.baseUrl}/agents/cached-squat`, 'PUT', { agent_card: cardAt('Cached Squat', `${owner.origin}/a2a`) }, as('mallory'));
    expect(refused.status).toBe(403);
  });
});

describe('domain challenges expire', () => {
  const owner = ownersServer();
  const registry = useRegistry(() => ({ ROLE: 'api', DOMAIN_CHALLENGE_TTL_SECONDS: '1', ...owner.env() }));

  it('refuses a challenge answered after its time, even with the right document', async () => {
    const challenge = await json(await sendJson(`${registry.base}/domains/localhost/challenge`, 'POST', {}));
    owner.publish(challenge.token);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const late = await sendJson(`${registry.base}/domains/localhost/verify`, 'POST', {});
    expect(late.status).toBe(404);
    expect((await json(late)).error.code).toBe('challenge_not_found');
    expect((await fetch(`${registry.base}/domains/localhost`)).status).toBe(404);
  });
});
