import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV1 } from '../helpers/cards.js';
import { redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Answer {
  status: number;
  body: Json;
  etag: string | null;
}

const RPC_KEY = 'rpc-key-1';

/** The same registry on Redis and on the embedded store: retries must behave alike on both. */
const setups: [string, () => Record<string, string>][] = [
  ['on Redis', () => ({ REDIS_URL: redisUrl(), REDIS_PREFIX: uniquePrefix() })],
  ['embedded', () => ({})],
];

describe.each(setups)('retries with an idempotency key, %s', (_name, envOf) => {
  let running: RunningRegistry;
  let base = '';
  let cardHost: Server;
  let cardFetches = 0;
  let origin = '';

  beforeAll(async () => {
    running = await startRegistry({ ...envOf(), OUTBOUND_ALLOW_HTTP: 'true', OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' });
    base = running.baseUrl;
    cardHost = createServer((_req, res) => {
      cardFetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(cardV1({ name: `Hosted ${cardFetches}` })));
    });
    await new Promise<void>((resolve) => cardHost.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(cardHost.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await running.close();
    await new Promise<void>((resolve) => cardHost.close(() => resolve()));
  });

  const send = async (path: string, method: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const res = method === 'DELETE' ? await fetch(`${base}${path}`, { method, headers }) : await sendJson(`${base}${path}`, method, body, headers);
    return { status: res.status, body: await res.json(), etag: res.headers.get('etag') };
  };
  const revisionOf = async (id: string): Promise<number | undefined> => {
    const res = await fetch(`${base}/agents/${id}`);
    return res.status === 200 ? ((await res.json()) as Json).revision : undefined;
  };
  const rpc = async (method: string, params: Record<string, unknown>): Promise<Json> =>
    (await sendJson(`${base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method, params })).json();

  it('a create retried with the same key and body gets the first answer, status and all, and writes once', async () => {
    const body = { agent_card: cardV1({ name: 'Once Agent' }) };
    const headers = { 'idempotency-key': 'create-1', 'if-none-match': '*' };
    const first = await send('/agents/once-agent', 'PUT', body, headers);
    expect(first.status).toBe(201);
    const retry = await send('/agents/once-agent', 'PUT', body, headers);
    expect(retry).toEqual(first);
    expect(await revisionOf('once-agent')).toBe(first.body.revision);
    // Without the key, the same retry is refused as the second create it is.
    expect((await send('/agents/once-agent', 'PUT', body, { 'if-none-match': '*' })).status).toBe(409);
  });

  it('a key sent again with another body gets 422 and changes nothing', async () => {
    const first = await send('/agents', 'POST', { agent_card: cardV1({ name: 'Keyed Agent' }) }, { 'idempotency-key': '"quoted-2"' });
    expect(first.status).toBe(201);
    const other = await send('/agents', 'POST', { agent_card: cardV1({ name: 'Keyed Agent', version: '9.9.9' }) }, { 'idempotency-key': 'quoted-2' });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    expect(await revisionOf('keyed-agent')).toBe(first.body.revision);
    // The same body to another target is another request too.
    const elsewhere = await send('/agents/keyed-agent-2', 'PUT', { agent_card: cardV1({ name: 'Keyed Agent' }) }, { 'idempotency-key': 'quoted-2' });
    expect(elsewhere.status).toBe(422);
    expect(await revisionOf('keyed-agent-2')).toBeUndefined();
  });

  it('a later write in between does not change what the retry answers', async () => {
    const body = { agent_card: cardV1({ name: 'Moving Agent' }) };
    const first = await send('/agents', 'POST', body, { 'idempotency-key': 'moving-1' });
    const update = await send('/agents/moving-agent', 'PUT', { agent_card: cardV1({ name: 'Moving Agent', version: '2.0.0' }) });
    expect(update.body.revision).toBeGreaterThan(first.body.revision);
    expect(await send('/agents', 'POST', body, { 'idempotency-key': 'moving-1' })).toEqual(first);
    expect(await revisionOf('moving-agent')).toBe(update.body.revision);
  });

  it('a refused write keeps no outcome: its retry is judged again', async () => {
    await send('/agents/taken-agent', 'PUT', { agent_card: cardV1({ name: 'Taken Agent' }) });
    const body = { agent_card: cardV1({ name: 'Taken Agent', version: '3.0.0' }) };
    const headers = { 'idempotency-key': 'taken-1', 'if-match': '"1"' };
    expect((await send('/agents/taken-agent', 'PUT', body, headers)).status).toBe(412);
    const current = await fetch(`${base}/agents/taken-agent`);
    const etag = current.headers.get('etag') as string;
    await current.arrayBuffer();
    // A refused write under a key, sent again unchanged, is refused again rather than answered from memory.
    expect((await send('/agents/taken-agent', 'PUT', body, headers)).status).toBe(412);
    // The key is still free: the write with a precondition that holds takes it, and is answered again after.
    const written = await send('/agents/taken-agent', 'PUT', body, { ...headers, 'if-match': etag });
    expect(written.status).toBe(200);
    expect(await send('/agents/taken-agent', 'PUT', body, { ...headers, 'if-match': etag })).toEqual(written);
    expect((await send('/agents/taken-agent', 'PUT', body, headers)).status).toBe(422);
  });

  it('a delete retried with the same key gets the first answer, not 404', async () => {
    await send('/agents/doomed-agent', 'PUT', { agent_card: cardV1({ name: 'Doomed Agent' }) });
    const first = await send('/agents/doomed-agent', 'DELETE', undefined, { 'idempotency-key': 'delete-1', 'if-match': '*' });
    expect(first.status).toBe(200);
    expect(await send('/agents/doomed-agent', 'DELETE', undefined, { 'idempotency-key': 'delete-1', 'if-match': '*' })).toEqual(first);
    expect((await send('/agents/doomed-agent', 'DELETE', undefined)).status).toBe(404);
  });

  it('a registration by URL retried with the same key fetches nothing again', async () => {
    const body = { url: `${origin}/card.json` };
    const first = await send('/agents/register-url', 'POST', body, { 'idempotency-key': 'url-1' });
    expect(first.status).toBe(201);
    const fetches = cardFetches;
    expect(await send('/agents/register-url', 'POST', body, { 'idempotency-key': 'url-1' })).toEqual(first);
    expect(cardFetches).toBe(fetches);
  });

  it('refuses a key that is not 1 to 255 visible ASCII characters, with nothing stored', async () => {
    for (const key of ['', 'x'.repeat(256), 'with space', 'naïve']) {
      const res = await fetch(`${base}/agents/bad-key-agent`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', 'idempotency-key': Buffer.from(key, 'utf8').toString('latin1') },
        body: JSON.stringify({ agent_card: cardV1({ name: 'Bad Key Agent' }) }),
      });
      expect(res.status, `key ${JSON.stringify(key)}`).toBe(400);
      expect(((await res.json()) as Json).error.code).toBe('invalid_idempotency_key');
    }
    expect(await revisionOf('bad-key-agent')).toBeUndefined();
  });

  it('JSON-RPC writes take the key as the idempotency_key param, with the same rules', async () => {
    const params = { agent_card: cardV1({ name: 'Rpc Agent' }), agent_id: 'rpc-agent', idempotency_key: RPC_KEY };
    const first = await rpc('register_agent', params);
    expect(first.result.created).toBe(true);
    expect(await rpc('register_agent', params)).toEqual(first);
    const other = await rpc('register_agent', { ...params, agent_card: cardV1({ name: 'Rpc Agent', version: '5.0.0' }) });
    expect(other.error.code).toBe(-32017);
    expect(other.error.data[0].reason).toBe('idempotency_key_reused');
    expect(await revisionOf('rpc-agent')).toBe(first.result.revision);

    const deleted = await rpc('DeleteAgentCard', { agentId: 'rpc-agent', idempotencyKey: 'rpc-delete' });
    expect(deleted.result.success).toBe(true);
    expect(await rpc('DeleteAgentCard', { agentId: 'rpc-agent', idempotencyKey: 'rpc-delete' })).toEqual(deleted);
    expect((await rpc('unregister_agent', { agent_id: 'rpc-agent', idempotency_key: 7 })).error.code).toBe(-32602);
  });
});

describe('idempotency keys belong to the caller that sent them', () => {
  let running: RunningRegistry;
  beforeAll(async () => {
    const entry = (name: string) => `${name}:publisher:${createHash('sha256').update(`${name}-secret`).digest('hex')}`;
    running = await startRegistry({ AUTH_MODE: 'apikey', API_KEYS: `${entry('alice')},${entry('bob')}` });
  });
  afterAll(() => running.close());

  it('two callers using the same key make two writes', async () => {
    const put = (id: string, key: string) =>
      sendJson(`${running.baseUrl}/agents/${id}`, 'PUT', { agent_card: cardV1({ name: id }) }, { 'x-api-key': key, 'idempotency-key': 'shared' });
    expect((await put('alice-agent', 'alice-secret')).status).toBe(201);
    expect((await put('bob-agent', 'bob-secret')).status).toBe(201);
  });
});
