import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/authenticators.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

const KEYS = { alice: 'alice-secret-key', bob: 'bob-secret-key', root: 'root-secret-key' };
const API_KEYS = [`alice:publisher:${sha256Hex(KEYS.alice)}`, `bob:publisher:${sha256Hex(KEYS.bob)}`, `root:admin:${sha256Hex(KEYS.root)}`].join(',');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (response: Response): Promise<any> => response.json();
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const body = (name = 'Owned Agent') => ({ agent_card: cardV1({ name }) });

describe('API keys and ownership', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let running: RunningRegistry;
  let url: string;

  beforeAll(async () => {
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, AUTH_MODE: 'apikey', API_KEYS, ROLE: 'api' });
    url = running.baseUrl;
  });
  afterAll(async () => {
    await running.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('refuses a write without credentials with a JSON 401 and stores nothing', async () => {
    const response = await sendJson(`${url}/agents`, 'POST', body('Nobody'));
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await json(response)).error.code).toBe('unauthorized');
    expect(await redis.exists(`${prefix}agent:nobody`)).toBe(0);
  });

  it('refuses an unknown API key with 401', async () => {
    const response = await sendJson(`${url}/agents`, 'POST', body('Nobody'), bearer('not-a-key'));
    expect(response.status).toBe(401);
  });

  it('accepts the key in X-API-Key as well as in Authorization', async () => {
    const response = await sendJson(`${url}/agents`, 'POST', body('Header Agent'), { 'x-api-key': KEYS.alice });
    expect(response.status).toBe(201);
  });

  it('lets reads through without credentials', async () => {
    await sendJson(`${url}/agents`, 'POST', body('Public Agent'), bearer(KEYS.alice));
    expect((await fetch(`${url}/agents/public-agent`)).status).toBe(200);
    expect((await fetch(`${url}/agents?q=public`)).status).toBe(200);
  });

  it("refuses another publisher's update, delete and heartbeat with 403 and changes nothing", async () => {
    const created = await sendJson(`${url}/agents`, 'POST', body('Alice Agent'), bearer(KEYS.alice));
    const revision = (await json(created)).revision;
    const update = await sendJson(`${url}/agents/alice-agent`, 'PUT', body('Alice Agent'), bearer(KEYS.bob));
    const removal = await fetch(`${url}/agents/alice-agent`, { method: 'DELETE', headers: bearer(KEYS.bob) });
    const heartbeat = await fetch(`${url}/agents/alice-agent/heartbeat`, { method: 'POST', headers: bearer(KEYS.bob) });
    expect([update.status, removal.status, heartbeat.status]).toEqual([403, 403, 403]);
    expect((await json(update)).error.code).toBe('forbidden');
    const stored = await json(await fetch(`${url}/agents/alice-agent`));
    expect(stored.revision).toBe(revision);
  });

  it('lets the owner update and heartbeat, and an admin delete', async () => {
    await sendJson(`${url}/agents`, 'POST', body('Shared Agent'), bearer(KEYS.alice));
    expect((await sendJson(`${url}/agents/shared-agent`, 'PUT', body('Shared Agent'), bearer(KEYS.alice))).status).toBe(200);
    expect((await fetch(`${url}/agents/shared-agent/heartbeat`, { method: 'POST', headers: bearer(KEYS.alice) })).status).toBe(200);
    expect((await fetch(`${url}/agents/shared-agent`, { method: 'DELETE', headers: bearer(KEYS.root) })).status).toBe(200);
    expect((await fetch(`${url}/agents/shared-agent`)).status).toBe(404);
  });

  it('keeps the first owner when an admin updates the agent', async () => {
    await sendJson(`${url}/agents`, 'POST', body('Kept Agent'), bearer(KEYS.alice));
    await sendJson(`${url}/agents/kept-agent`, 'PUT', body('Kept Agent'), bearer(KEYS.root));
    expect((await sendJson(`${url}/agents/kept-agent`, 'PUT', body('Kept Agent'), bearer(KEYS.alice))).status).toBe(200);
  });

  it('applies the same rules to JSON-RPC: -32013 without credentials, -32014 for another owner', async () => {
    await sendJson(`${url}/agents`, 'POST', body('Rpc Agent'), bearer(KEYS.alice));
    const call = (method: string, params: unknown, headers: Record<string, string> = {}) =>
      sendJson(`${url}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method, params }, headers).then(json);
    expect((await call('register_agent', body('Rpc Other'))).error.code).toBe(-32013);
    expect((await call('unregister_agent', { agent_id: 'rpc-agent' }, bearer(KEYS.bob))).error.code).toBe(-32014);
    expect((await call('get_agent', { agent_id: 'rpc-agent' })).result.agent_id).toBe('rpc-agent');
    expect((await call('unregister_agent', { agent_id: 'rpc-agent' }, bearer(KEYS.alice))).result.success).toBe(true);
  });
});

describe('reads that require credentials', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let running: RunningRegistry;

  beforeAll(async () => {
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, AUTH_MODE: 'apikey', API_KEYS, READS_REQUIRE_AUTH: 'true', ROLE: 'api' });
  });
  afterAll(async () => {
    await running.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('refuses anonymous reads with 401 and serves authenticated ones', async () => {
    expect((await fetch(`${running.baseUrl}/agents`)).status).toBe(401);
    expect((await fetch(`${running.baseUrl}/agents`, { headers: bearer(KEYS.bob) })).status).toBe(200);
  });

  it('marks cards private and every answer as varying with the credentials, so shared caches keep none', async () => {
    await sendJson(`${running.baseUrl}/agents`, 'POST', body('Private Agent'), bearer(KEYS.alice));
    const card = await fetch(`${running.baseUrl}/agents/private-agent/card`, { headers: { 'x-api-key': KEYS.bob } });
    expect(card.status).toBe(200);
    expect(card.headers.get('cache-control')).toBe('private, max-age=60');
    expect(card.headers.get('vary')).toMatch(/Authorization, X-API-Key/);
    const refused = await fetch(`${running.baseUrl}/agents/private-agent/card`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('vary')).toMatch(/Authorization, X-API-Key/);
  });

  it('keeps health, readiness and the registry card public', async () => {
    for (const path of ['/health', '/ready', '/.well-known/agent-card.json']) {
      expect((await fetch(`${running.baseUrl}${path}`)).status).toBe(200);
    }
  });
});

describe('JWT bearer tokens', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let running: RunningRegistry;
  let jwks: Server;
  let sign: (claims: Record<string, unknown>, options?: { audience?: string; expiresIn?: string }) => Promise<string>;
  let keyPair: Awaited<ReturnType<typeof generateKeyPair>>;

  beforeAll(async () => {
    keyPair = await generateKeyPair('ES256');
    const { publicKey, privateKey } = keyPair;
    const jwk: JWK = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    sign = (claims, options = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
        .setIssuer('https://issuer.test')
        .setAudience(options.audience ?? 'a2a-registry')
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '5m')
        .sign(privateKey);
    running = await startRegistry({
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      ROLE: 'api',
      AUTH_MODE: 'jwt',
      JWT_JWKS_URL: jwksUrl,
      JWT_ISSUER: 'https://issuer.test',
      JWT_AUDIENCE: 'a2a-registry',
    });
  });
  afterAll(async () => {
    await running.close();
    jwks.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it("registers with a valid token, owned by the token's subject", async () => {
    const token = await sign({ sub: 'carol' });
    expect((await sendJson(`${running.baseUrl}/agents`, 'POST', body('Carol Agent'), bearer(token))).status).toBe(201);
    const other = await sign({ sub: 'dave' });
    expect((await sendJson(`${running.baseUrl}/agents/carol-agent`, 'PUT', body('Carol Agent'), bearer(other))).status).toBe(403);
  });

  it('treats a token whose role claim says admin as an admin', async () => {
    await sendJson(`${running.baseUrl}/agents`, 'POST', body('Erin Agent'), bearer(await sign({ sub: 'erin' })));
    const admin = await sign({ sub: 'ops', role: ['admin'] });
    expect((await fetch(`${running.baseUrl}/agents/erin-agent`, { method: 'DELETE', headers: bearer(admin) })).status).toBe(200);
  });

  it('refuses a token without an expiry with 401, though it is signed by a trusted key', async () => {
    const { privateKey } = keyPair;
    const forever = await new SignJWT({ sub: 'carol' })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setIssuer('https://issuer.test')
      .setAudience('a2a-registry')
      .setIssuedAt()
      .sign(privateKey);
    const response = await sendJson(`${running.baseUrl}/agents`, 'POST', body('Forever Agent'), bearer(forever));
    expect(response.status).toBe(401);
    expect(await response.text()).toMatch(/missing required \\"exp\\" claim/);
    expect(await redis.exists(`${prefix}agent:forever-agent`)).toBe(0);
  });

  it('refuses a token for another audience, an expired token and a malformed one with 401', async () => {
    const wrongAudience = await sign({ sub: 'carol' }, { audience: 'someone-else' });
    const expired = await sign({ sub: 'carol' }, { expiresIn: '-1m' });
    for (const token of [wrongAudience, expired, 'not.a.token']) {
      const response = await sendJson(`${running.baseUrl}/agents`, 'POST', body('Refused Agent'), bearer(token));
      expect(response.status).toBe(401);
    }
    expect(await redis.exists(`${prefix}agent:refused-agent`)).toBe(0);
  });
});

describe('JWT bearer tokens while the issuer\'s key set cannot be had', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  /** How the key set's server answers: each registry below starts with nothing cached. */
  const answers: Record<string, (res: ServerResponse) => void> = {
    'a 500': (res) => res.writeHead(500).end('down'),
    'a document that is not JSON': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('<html>'),
    'JSON that is not a key set': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": "none"}'),
    'no answer in time': () => {},
  };
  let jwks: Server;
  let token: string;

  beforeAll(async () => {
    jwks = createServer((req, res) => answers[decodeURIComponent((req.url ?? '').slice(1))]?.(res));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { privateKey } = await generateKeyPair('ES256');
    token = await new SignJWT({ sub: 'carol' })
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setIssuer('https://issuer.test')
      .setAudience('a2a-registry')
      .setExpirationTime('5m')
      .sign(privateKey);
  });
  afterAll(async () => {
    jwks.closeAllConnections();
    jwks.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const origin = () => `http://127.0.0.1:${(jwks.address() as AddressInfo).port}`;
  const cases = [...Object.keys(answers).map((answer) => [answer, () => `${origin()}/${encodeURIComponent(answer)}`] as const),
    ['a refused connection', () => 'http://127.0.0.1:1/jwks.json'] as const];

  it.each(cases)('answers 503 with Retry-After, not 401, when the key set gets %s', async (_answer, jwksUrl) => {
    const running = await startRegistry({
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      ROLE: 'api',
      AUTH_MODE: 'jwt',
      JWT_JWKS_URL: jwksUrl(),
      JWT_ISSUER: 'https://issuer.test',
      JWT_AUDIENCE: 'a2a-registry',
    });
    try {
      const response = await sendJson(`${running.baseUrl}/agents`, 'POST', body('Waiting Agent'), bearer(token));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/key set is unavailable/);
      expect(await redis.exists(`${prefix}agent:waiting-agent`)).toBe(0);
    } finally {
      await running.close();
    }
  }, 15_000);
});

describe('failed authentications, limited per client address across replicas', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let replicas: RunningRegistry[];

  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ROLE: 'api', AUTH_MODE: 'apikey', API_KEYS, RATE_LIMIT_FAILED_AUTH_PER_MINUTE: '3' };
    replicas = [await startRegistry(env), await startRegistry(env)];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('answers 429 once an address failed too often, then refuses even a right key from it until the window ends', async () => {
    const [first, second] = replicas as [RunningRegistry, RunningRegistry];
    const attempt = (replica: RunningRegistry, key: string) => sendJson(`${replica.baseUrl}/agents`, 'POST', body('Guessed Agent'), bearer(key));
    // A right key costs nothing against the budget.
    for (let i = 0; i < 5; i++) expect((await fetch(`${first.baseUrl}/agents`, { headers: bearer(KEYS.bob) })).status).toBe(200);
    const statuses = [];
    for (const replica of [first, second, first]) statuses.push((await attempt(replica, 'guess')).status);
    expect(statuses).toEqual([401, 401, 401]);
    const refused = await attempt(second, 'guess');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // The replica that shut the address out does not check its keys any more: a right one is refused too.
    expect((await attempt(second, KEYS.alice)).status).toBe(429);
    expect(await redis.exists(`${prefix}agent:guessed-agent`)).toBe(0);
    // Requests without credentials prove nothing wrong and are not counted.
    expect((await fetch(`${first.baseUrl}/agents`)).status).toBe(200);
  });
});

describe('rate limits shared by replicas', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let replicas: RunningRegistry[];

  beforeAll(async () => {
    const env = { REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ROLE: 'api', RATE_LIMIT_WRITES_PER_MINUTE: '3', RATE_LIMIT_READS_PER_MINUTE: '5' };
    replicas = [await startRegistry(env), await startRegistry(env)];
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('counts writes across replicas and answers 429 with Retry-After and RateLimit headers past the budget', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const replica = replicas[i % 2] as RunningRegistry;
      const response = await sendJson(`${replica.baseUrl}/agents`, 'POST', body(`Limited ${i}`));
      statuses.push(response.status);
      if (i === 0) expect(response.headers.get('ratelimit-remaining')).toBe('2');
      if (i === 3) {
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(response.headers.get('ratelimit-limit')).toBe('3');
        expect((await json(response)).error.code).toBe('rate_limited');
      }
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(await redis.exists(`${prefix}agent:limited-3`)).toBe(0);
  });

  it('keeps a separate budget for reads', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${(replicas[i % 2] as RunningRegistry).baseUrl}/agents`)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('does not count health and readiness probes', async () => {
    for (let i = 0; i < 10; i++) expect((await fetch(`${(replicas[0] as RunningRegistry).baseUrl}/health`)).status).toBe(200);
  });
});

describe('rate limits of JSON-RPC batches', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let running: RunningRegistry;

  beforeAll(async () => {
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, ROLE: 'api', RATE_LIMIT_WRITES_PER_MINUTE: '3', RATE_LIMIT_READS_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await running.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  const register = (name: string, id: number) => ({ jsonrpc: '2.0', id, method: 'register_agent', params: { agent_card: cardV1({ name }) } });
  const list = (id: number) => ({ jsonrpc: '2.0', id, method: 'list_agents', params: { limit: 1 } });

  it('counts each call of a batch as one request of its kind', async () => {
    const first = await sendJson(`${running.baseUrl}/jsonrpc`, 'POST', [register('Batch One', 1), register('Batch Two', 2), list(3)]);
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    const second = await sendJson(`${running.baseUrl}/jsonrpc`, 'POST', [register('Batch Three', 4), register('Batch Four', 5)]);
    expect(second.status).toBe(429);
    expect((await json(second)).error.code).toBe('rate_limited');
    expect(await redis.exists(`${prefix}agent:batch-three`, `${prefix}agent:batch-four`)).toBe(0);
    const reads = await sendJson(`${running.baseUrl}/jsonrpc`, 'POST', [list(6), list(7), list(8), list(9), list(10)]);
    expect(reads.status).toBe(429);
  });
});

