import { describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError } from '../../src/client/index.js';

/** A fetch that answers from a script, one answer per request, recording what was sent. */
function scriptedFetch(answers: (() => Response | Promise<Response>)[]) {
  const sent: { method: string; url: string; key: string | null; at: number }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    sent.push({ method: request.method, url: request.url, key: request.headers.get('idempotency-key'), at: Date.now() });
    const next = answers.shift();
    if (!next) throw new Error('no more scripted answers');
    return next();
  };
  return { sent, fetch };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const error = (status: number, code: string, headers: Record<string, string> = {}) => json(status, { error: { code, message: `${code} happened` } }, headers);
const dropped = () => () => Promise.reject(new TypeError('fetch failed'));

const saved = { success: true, agent_id: 'a', revision: 1, created: true };
const card = { name: 'A' };
const clientOf = (fetch: typeof globalThis.fetch, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}) =>
  new RegistryClient({ baseUrl: 'http://registry.test/', fetch, retryDelayMs: 1, ...extra });

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const failure = await promise.then(() => undefined, (e: unknown) => e);
  expect(failure).toBeInstanceOf(RegistryError);
  return failure as RegistryError;
}

describe('RegistryClient retries', () => {
  it('retries a write after no answer, a 503 and a 429, always with the key of the first attempt', async () => {
    const { sent, fetch } = scriptedFetch([dropped(), error(503, 'write_outcome_unknown'), error(429, 'rate_limited'), json(201, saved)]);
    expect(await clientOf(fetch).register(card)).toEqual(saved);
    expect(sent).toHaveLength(4);
    expect(new Set(sent.map((s) => s.key)).size).toBe(1);
    expect(sent[0]?.key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sends the key it is given', async () => {
    const { sent, fetch } = scriptedFetch([json(201, saved)]);
    await clientOf(fetch).register(card, { idempotencyKey: 'my-key-1' });
    expect(sent[0]?.key).toBe('my-key-1');
  });

  it('retries a read after no answer and a 503, but hands a read its 429', async () => {
    const read = scriptedFetch([dropped(), error(503, 'unavailable'), json(200, { agent_id: 'a' })]);
    expect(await clientOf(read.fetch).get('a')).toEqual({ agent_id: 'a' });
    expect(read.sent.map((s) => s.key)).toEqual([null, null, null]);

    const limited = scriptedFetch([error(429, 'rate_limited', { 'retry-after': '7' }), json(200, {})]);
    expect(await rejection(clientOf(limited.fetch).get('a'))).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 7 });
    expect(limited.sent).toHaveLength(1);
  });

  it('does not retry a refusal', async () => {
    const { sent, fetch } = scriptedFetch([
      json(400, { error: { code: 'invalid_agent_card', message: 'Invalid agent card', violations: [{ path: '$.skills', message: 'is required' }], details: { x: 1 } } }),
    ]);
    const refused = await rejection(clientOf(fetch).register(card));
    expect(refused).toMatchObject({ status: 400, code: 'invalid_agent_card', message: 'Invalid agent card', violations: [{ path: '$.skills', message: 'is required' }], details: { x: 1 } });
    expect(sent).toHaveLength(1);
  });

  it('gives up after `retries` retries with the last error, Retry-After included', async () => {
    const { sent, fetch } = scriptedFetch([error(503, 'unavailable'), error(503, 'unavailable'), error(503, 'unavailable', { 'retry-after': '0' })]);
    const failure = await rejection(clientOf(fetch, { retries: 2 }).heartbeat('a'));
    expect(failure).toMatchObject({ status: 503, code: 'unavailable', retryAfterSeconds: 0 });
    expect(sent).toHaveLength(3);
  });

  it('waits what Retry-After asks, but never more than maxRetryDelayMs', async () => {
    const honoured = scriptedFetch([error(503, 'unavailable', { 'retry-after': '1' }), json(200, {})]);
    await clientOf(honoured.fetch).get('a');
    const waited = (honoured.sent[1]?.at ?? 0) - (honoured.sent[0]?.at ?? 0);
    expect(waited).toBeGreaterThanOrEqual(990);

    const capped = scriptedFetch([error(503, 'unavailable', { 'retry-after': '3600' }), json(200, {})]);
    await clientOf(capped.fetch, { maxRetryDelayMs: 50 }).get('a');
    expect((capped.sent[1]?.at ?? 0) - (capped.sent[0]?.at ?? 0)).toBeLessThan(1000);
  });

  it('reports no answer as status 0: a timeout, or a network error', async () => {
    // Never answers: fails only when the client's timeout aborts it.
    const never: typeof fetch = (_input, init) => new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    expect(await rejection(clientOf(never, { timeoutMs: 20, retries: 0 }).get('a'))).toMatchObject({ status: 0, code: 'timeout' });
    const down = scriptedFetch([dropped(), dropped()]);
    expect(await rejection(clientOf(down.fetch, { retries: 1 }).get('a'))).toMatchObject({ status: 0, code: 'network_error' });
  });

  it('names an answer that is not the registry JSON by its status', async () => {
    const { fetch } = scriptedFetch([() => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })]);
    expect(await rejection(clientOf(fetch).get('a'))).toMatchObject({ status: 502, code: 'http_502', message: 'HTTP 502 Bad Gateway' });
  });

  it('sends credentials, preconditions and parameters as the REST API reads them', async () => {
    const requests: Request[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      requests.push(new Request(input, init));
      return json(200, {})();
    };
    const c = new RegistryClient({ baseUrl: 'http://registry.test', apiKey: 'k1', fetch });
    await c.register(card, { agentId: 'my agent', expectedRevision: 3, heartbeatTtlSeconds: 60 });
    await c.delete('a', { expectedRevision: '*' });
    await c.list({ skills: ['s1', 's2'], streaming: false, probeStatus: 'ok', limit: 5 });
    await c.changes({ since: 'c1', kinds: ['registered', 'deleted'], agentId: ['a', 'b'], includeCard: false });
    await new RegistryClient({ baseUrl: 'http://registry.test', bearerToken: 't1', fetch }).search({ query: 'weather', signatureStatus: 'verified' });

    const [put, del, list, changes, search] = requests as [Request, Request, Request, Request, Request];
    expect(put.method).toBe('PUT');
    expect(put.url).toBe('http://registry.test/agents/my%20agent');
    expect(put.headers.get('x-api-key')).toBe('k1');
    expect(put.headers.get('if-match')).toBe('"3"');
    expect(await put.json()).toEqual({ agent_card: card, heartbeat_ttl_seconds: 60 });
    expect(del.headers.get('if-match')).toBe('*');
    expect(list.url).toBe('http://registry.test/agents?skills=s1&skills=s2&probe_status=ok&streaming=false&limit=5');
    expect(changes.url).toBe('http://registry.test/changes?since=c1&kind=registered%2Cdeleted&agent_id=a%2Cb&include_card=false');
    expect(search.headers.get('authorization')).toBe('Bearer t1');
    expect(await search.json()).toEqual({ query: 'weather', signature_status: 'verified' });
  });
});
