import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardV03, cardV1, legacyCard } from '../helpers/cards.js';
import { killLeftoverProcesses, startRegistryProcess, type RegistryProcess } from '../helpers/processes.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';

/** Enough runs to shake out the shapes; bounded so the suite stays quick on a shared machine. */
const RUNS = 150;

const prefix = uniquePrefix();
let redis: Redis;
let registry: RegistryProcess;

beforeAll(async () => {
  redis = connect();
  registry = await startRegistryProcess({ role: 'api', redisUrl: redisUrl(), redisPrefix: prefix, env: { LOG_LEVEL: 'warn' } });
  const seeded = await fetch(`${registry.baseUrl}/agents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ agent_card: cardV1({ name: 'Anchor' }) }),
  });
  expect(seeded.status).toBe(201);
});
afterAll(async () => {
  await registry.stop();
  await killLeftoverProcesses();
  await deleteKeys(redis, prefix);
  redis.disconnect();
});

/** What must not move when a request is refused: the revision counter (every write takes one) and the anchor. */
async function storedState(): Promise<string> {
  const [revision, anchor, count] = await Promise.all([
    redis.get(`${prefix}revision`),
    redis.hget(`${prefix}agent:anchor`, 'revision'),
    redis.zcard(`${prefix}agents:active`),
  ]);
  return `${revision}/${anchor}/${count}`;
}

interface Answer {
  status: number;
  body: string;
}

async function send(method: string, path: string, body?: string, contentType = 'application/json'): Promise<Answer> {
  const response = await fetch(`${registry.baseUrl}${path}`, {
    method,
    ...(body === undefined ? {} : { body, headers: { 'content-type': contentType } }),
  });
  return { status: response.status, body: await response.text() };
}

/** Never a 5xx; an error is a JSON error body; a refused write changes nothing stored. */
async function assertWellBehaved(request: () => Promise<Answer>, isWrite: boolean): Promise<void> {
  const before = isWrite ? await storedState() : '';
  const answer = await request();
  expect(answer.status, answer.body).toBeLessThan(500);
  if (answer.status >= 400) {
    const parsed = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
    expect(typeof parsed.error?.code).toBe('string');
    expect(typeof parsed.error?.message).toBe('string');
    if (isWrite) expect(await storedState()).toBe(before);
  }
}

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const junk = fc.oneof(jsonValue, fc.string(), fc.constant(null), fc.integer(), fc.double(), fc.boolean());

/** A valid card of one of the three shapes with some fields dropped and some replaced by junk. */
const mutatedCard = fc
  .tuple(
    fc.constantFrom(cardV1(), cardV03(), legacyCard()),
    fc.array(fc.string({ maxLength: 24 }), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('name', 'description', 'skills', 'capabilities', 'url', 'supportedInterfaces', 'version', 'defaultInputModes', 'signatures', 'protocolVersion', 'provider'), junk, { maxKeys: 3 }),
  )
  .map(([card, drop, replace]) => {
    const copy: Record<string, unknown> = { ...card, ...replace, name: typeof replace.name === 'string' ? replace.name : `Prop ${JSON.stringify(replace).length}` };
    for (const key of drop) delete copy[key];
    return copy;
  });

describe('property-based abuse of a real registry process', () => {
  it('POST /agents with random and mutated bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(jsonValue, mutatedCard.map((card) => ({ agent_card: card }))), async (body) => {
        await assertWellBehaved(() => send('POST', '/agents', JSON.stringify(body)), true);
      }),
      { numRuns: RUNS },
    );
  });

  it('PUT /agents/{id} with random ids and bodies, and bodies that are not JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 40 }), fc.oneof(jsonValue.map((v) => JSON.stringify(v)), fc.string()), async (id, body) => {
        await assertWellBehaved(() => send('PUT', `/agents/${encodeURIComponent(id) || 'x'}`, body), true);
      }),
      { numRuns: RUNS },
    );
  });

  it('JSON-RPC envelopes and batches of every shape', async () => {
    const methods = ['register_agent', 'get_agent', 'list_agents', 'search_agents', 'unregister_agent', 'health_check', 'RegisterAgentCard', 'DeleteAgentCard', 'heartbeat_agent', 'register_agent_url'];
    const call = fc.record(
      {
        jsonrpc: fc.oneof(fc.constant('2.0'), junk),
        method: fc.oneof(fc.constantFrom(...methods), fc.string()),
        params: fc.oneof(junk, fc.record({ agent_card: mutatedCard }), fc.record({ agent_id: fc.oneof(fc.constant('anchor'), fc.string()) })),
        id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), junk),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(call, fc.array(call, { maxLength: 5 }), jsonValue), async (body) => {
        const before = await storedState();
        const answer = await send('POST', '/jsonrpc', JSON.stringify(body));
        expect(answer.status, answer.body).toBeLessThan(500);
        if (answer.body) expect(() => JSON.parse(answer.body)).not.toThrow();
        expect(answer.body).not.toContain('-32603');
        // Successful calls may write, and notifications may succeed without any answer: only a
        // request whose every call was answered with an error must leave the store as it was.
        const calls: unknown[] = Array.isArray(body) ? body : [body];
        const notifies = calls.some((c) => typeof c === 'object' && c !== null && !Array.isArray(c) && !('id' in c));
        if (!notifies && !answer.body.includes('"result"')) expect(await storedState()).toBe(before);
      }),
      { numRuns: RUNS },
    );
  });

  it('query strings with known and unknown parameters', async () => {
    const keys = fc.constantFrom('q', 'skill', 'tag', 'limit', 'cursor', 'streaming', 'include_inactive', 'signature_status', 'input_mode', 'binding', 'min_revision', 'zzz');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(keys, fc.string({ maxLength: 30 })), { maxLength: 6 }), async (pairs) => {
        const query = pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
        await assertWellBehaved(() => send('GET', `/agents?${query}`), false);
        await assertWellBehaved(() => send('GET', `/agents/anchor?${query}`), false);
      }),
      { numRuns: RUNS },
    );
  });

  it('is still alive and serving afterwards', async () => {
    expect(registry.hasExited()).toBe(false);
    expect((await fetch(`${registry.baseUrl}/health`)).status).toBe(200);
    const created = await send('POST', '/agents', JSON.stringify({ agent_card: cardV1({ name: 'After The Storm' }) }));
    expect(created.status).toBe(201);
    expect((await fetch(`${registry.baseUrl}/agents/after-the-storm`)).status).toBe(200);
  });
});
