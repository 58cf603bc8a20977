import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { rawJsonElements } from '../../src/http/raw-json.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { rpc, reasonOf } from '../helpers/jsonrpc.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

const card = (name: string, tags: string[] = ['plain']) =>
  cardV1({ name, description: `The ${name}`, skills: [{ id: 'mirror-skill', name: 'S', description: 'D', tags }] });

async function register(base: string, name: string, tags?: string[]): Promise<Body> {
  const res = await sendJson(`${base}/agents`, 'POST', { agent_card: card(name, tags) });
  expect([200, 201]).toContain(res.status);
  return (await res.json()) as Body;
}

/** Every agent a registry lists (inactive ones too): id, revision, status, times and the card's exact text. */
async function listing(base: string, filter = ''): Promise<string[]> {
  const rows: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 100; page++) {
    const res = await fetch(`${base}/agents?include_inactive=true&limit=7${filter}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as Body;
    const cards = rawJsonElements(text, ['agents']) as string[];
    body.results.forEach((r: Body, i: number) => rows.push(`${r.agent_id} ${r.revision} ${r.status} ${r.created_at} ${r.updated_at} ${cards[i]}`));
    cursor = body.next_cursor ?? undefined;
    if (!cursor) return rows.sort();
  }
  throw new Error('too many pages');
}

/** Waits until the mirror lists what the source does. */
async function converged(source: string, mirror: string, filter = ''): Promise<string[]> {
  let last: [string[], string[]] = [[], []];
  for (let i = 0; i < 100; i++) {
    last = [await listing(source, filter), await listing(mirror)];
    if (JSON.stringify(last[0]) === JSON.stringify(last[1])) return last[1];
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  expect(last[1]).toEqual(last[0]);
  return last[1];
}

describe('a mirror (FOLLOW_URL)', () => {
  const source = useRegistry();
  const redis = connect();
  const mirrors: { prefix: string; running?: RunningRegistry }[] = [];

  async function startMirror(prefix: string, env: Record<string, string> = {}): Promise<RunningRegistry> {
    const running = await startRegistry({
      REDIS_URL: redisUrl(),
      REDIS_PREFIX: prefix,
      FOLLOW_URL: source.base,
      FOLLOW_POLL_SECONDS: '1',
      FOLLOW_RETRY_MAX_SECONDS: '1',
      ...env,
    });
    const entry = mirrors.find((m) => m.prefix === prefix);
    if (entry) entry.running = running;
    else mirrors.push({ prefix, running });
    return running;
  }

  afterAll(async () => {
    for (const mirror of mirrors) {
      await mirror.running?.close();
      await deleteKeys(redis, mirror.prefix);
    }
    redis.disconnect();
  });

  const prefix = uniquePrefix();

  it('takes a snapshot, then follows every change: the same agents, revisions, times, status and card bytes', async () => {
    await register(source.base, 'Before One');
    await register(source.base, 'Before Two');
    // A card sent with its own spacing is kept byte for byte, and so mirrored.
    const spaced = `{"agent_card": {"name":"Spaced   Agent" ,  "description":"x",\n "version":"1.0.0","supportedInterfaces":[{"url":"https://spaced.example.com/a2a","protocolBinding":"JSONRPC","protocolVersion":"1.0"}],"capabilities":{},"defaultInputModes":["text/plain"],"defaultOutputModes":["text/plain"],"skills":[{"id":"s","name":"S","description":"D","tags":["t"]}]}}`;
    expect((await sendJson(`${source.base}/agents`, 'POST', spaced)).status).toBe(201);
    const mirror = await startMirror(prefix);
    const first = await converged(source.base, mirror.baseUrl);
    expect(first).toHaveLength(3);
    expect(first.some((row) => row.includes('"name":"Spaced   Agent" ,  "description":"x",\n'))).toBe(true);

    await register(source.base, 'After One');
    await register(source.base, 'Before One', ['changed']);
    expect((await fetch(`${source.base}/agents/before-two`, { method: 'DELETE' })).status).toBe(200);
    expect((await fetch(`${source.base}/agents/after-one/heartbeat`, { method: 'POST' })).status).toBe(200);
    const second = await converged(source.base, mirror.baseUrl);
    expect(second.map((row) => row.split(' ')[0])).toEqual(['after-one', 'before-one', 'spaced-agent']);

    // Searches of the mirror find the mirrored agents by their cards.
    const found = (await (await fetch(`${mirror.baseUrl}/agents?tag=changed`)).json()) as Body;
    expect(found.results.map((r: Body) => r.agent_id)).toEqual(['before-one']);
    for (const q of ['spaced', 'spa', 'after one']) {
      const [fromSource, fromMirror] = await Promise.all([source.base, mirror.baseUrl].map(async (base) => ((await (await fetch(`${base}/agents?q=${encodeURIComponent(q)}`)).json()) as Body).results.map((r: Body) => r.agent_id)));
      expect(fromMirror).toEqual(fromSource);
      expect(fromMirror.length).toBeGreaterThan(0);
    }
    // Its own change log tells what it applied, with the source's revisions.
    const changes = (await (await fetch(`${mirror.baseUrl}/changes?limit=500`)).json()) as Body;
    const sourceDelete = ((await (await fetch(`${source.base}/changes?agent_id=before-two`)).json()) as Body).changes.at(-1);
    expect(changes.changes.find((e: Body) => e.agent_id === 'before-two' && e.kind === 'deleted')?.revision).toBe(sourceDelete.revision);
    const ready = (await (await fetch(`${mirror.baseUrl}/ready`)).json()) as Body;
    expect(ready.mirror).toMatchObject({ source: source.base, phase: 'following', sourceUp: true });
    const metrics = await (await fetch(`${mirror.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/a2a_follow_events_applied_total [1-9]/);
    expect(metrics).toMatch(/a2a_follow_source_up 1/);
    expect(metrics).toMatch(/a2a_follow_lag_seconds \d/);
  });

  it('refuses every write through both doors with read_only_mirror, naming the source; reads still answer', async () => {
    const mirror = mirrors[0]?.running as RunningRegistry;
    const writes: [string, string, unknown?][] = [
      ['POST', '/agents', { agent_card: card('Refused') }],
      ['PUT', '/agents/before-one', { agent_card: card('Before One') }],
      ['DELETE', '/agents/before-one'],
      ['POST', '/agents/before-one/heartbeat'],
      ['PATCH', '/agents/before-one', { status: 'deprecated' }],
      ['POST', '/domains/example.com/challenge', {}],
    ];
    for (const [method, path, body] of writes) {
      const res = body === undefined ? await fetch(`${mirror.baseUrl}${path}`, { method }) : await sendJson(`${mirror.baseUrl}${path}`, method, body);
      const answer = (await res.json()) as Body;
      expect([res.status, answer.error?.code ?? answer.code]).toEqual([403, 'read_only_mirror']);
      expect(JSON.stringify(answer)).toContain(source.base);
    }
    for (const [method, params] of [
      ['register_agent', { agent_card: card('Refused') }],
      ['unregister_agent', { agent_id: 'before-one' }],
      ['heartbeat_agent', { agent_id: 'before-one' }],
      ['set_agent_status', { agent_id: 'before-one', status: 'deprecated' }],
    ] as const) {
      const answer = await rpc(mirror.baseUrl, method, params);
      expect(answer.error?.code).toBe(-32014);
      expect(reasonOf(answer)).toBe('read_only_mirror');
      expect(answer.error?.message).toContain(source.base);
    }
    expect((await rpc(mirror.baseUrl, 'get_agent', { agent_id: 'before-one' })).result).toMatchObject({ agent_id: 'before-one' });
    expect((await fetch(`${mirror.baseUrl}/agents/before-one/card`)).status).toBe(200);
    // The ARD API's POSTs search: a mirror answers them.
    expect((await sendJson(`${mirror.baseUrl}/ard/v1/search`, 'POST', { query: { text: 'before' } })).status).toBe(200);
    expect((await fetch(`${mirror.baseUrl}/.well-known/ai-catalog.json`)).status).toBe(200);
    await converged(source.base, mirror.baseUrl);
  });

  it("mirrors the owner's lifecycle: deprecated agents marked and ranked as on the source, deletions leaving tombstones", async () => {
    const mirror = mirrors[0]?.running as RunningRegistry;
    const since = new Date().toISOString();
    await register(source.base, 'Lifecycle Old');
    await register(source.base, 'Lifecycle New');
    // Held by the mirror first, so that it applies the lifecycle change as an event of its own.
    await converged(source.base, mirror.baseUrl);
    const patched = await sendJson(`${source.base}/agents/lifecycle-old`, 'PATCH', { status: 'deprecated', status_message: 'Use lifecycle-new' });
    expect(patched.status).toBe(200);
    // The mirror holds the agent before the source deletes it (one it never held leaves it no tombstone).
    await converged(source.base, mirror.baseUrl);
    expect((await fetch(`${source.base}/agents/lifecycle-new`, { method: 'DELETE' })).status).toBe(200);
    await register(source.base, 'Lifecycle Third');
    await converged(source.base, mirror.baseUrl);

    const read = async (base: string, path: string) => (await (await fetch(`${base}${path}`)).json()) as Body;
    expect(await read(mirror.baseUrl, '/agents/lifecycle-old')).toMatchObject({ lifecycle_status: 'deprecated', status_message: 'Use lifecycle-new' });
    const search = '/agents/search?q=lifecycle';
    const [fromSource, fromMirror] = await Promise.all([source.base, mirror.baseUrl].map(async (base) => (await read(base, search)).results.map((r: Body) => [r.agent_id, r.lifecycle_status])));
    expect(fromMirror).toEqual(fromSource);
    expect(fromMirror).toEqual([['lifecycle-third', 'active'], ['lifecycle-old', 'deprecated']]);
    const changed = await read(mirror.baseUrl, `/agents?updated_since=${encodeURIComponent(since)}&include_deleted=true&limit=200`);
    expect(changed.deleted.map((t: Body) => t.agent_id)).toEqual(['lifecycle-new']);
    expect(changed.results.map((r: Body) => r.agent_id)).toEqual(expect.arrayContaining(['lifecycle-old', 'lifecycle-third']));
    const events = await read(mirror.baseUrl, '/changes?agent_id=lifecycle-old&kind=status_changed');
    expect(events.changes.at(-1)).toMatchObject({ lifecycle_status: 'deprecated', status_message: 'Use lifecycle-new' });
    // The later tests compare agent lists: these agents go again.
    for (const id of ['lifecycle-old', 'lifecycle-third']) expect((await fetch(`${source.base}/agents/${id}`, { method: 'DELETE' })).status).toBe(200);
    await converged(source.base, mirror.baseUrl);
  });

  it('resumes from its stored position after a restart', async () => {
    const stopped = mirrors[0]?.running as RunningRegistry;
    await stopped.close();
    const position = await redis.hget(redisKeys(prefix).mirrorPosition, 'cursor');
    expect(position).toMatch(/^\d+-\d+\.[0-9a-f]{8}$/);
    await register(source.base, 'While Away');
    expect((await fetch(`${source.base}/agents/after-one`, { method: 'DELETE' })).status).toBe(200);
    const mirror = await startMirror(prefix);
    const rows = await converged(source.base, mirror.baseUrl);
    expect(rows.map((row) => row.split(' ')[0])).toEqual(['before-one', 'spaced-agent', 'while-away']);
    // Resumed, not read again: the deletion came from the source's log, with the source's revision
    // (a snapshot would have found the agent missing and numbered its removal itself).
    const sourceEvents = ((await (await fetch(`${source.base}/changes?agent_id=after-one`)).json()) as Body).changes;
    const mirrorEvents = ((await (await fetch(`${mirror.baseUrl}/changes?limit=500&agent_id=after-one`)).json()) as Body).changes;
    expect(mirrorEvents.at(-1)).toMatchObject({ kind: 'deleted', revision: sourceEvents.at(-1).revision });
  });

  it('reads a snapshot again after 410, and drops the agents the source removed meanwhile', async () => {
    const stopped = mirrors[0]?.running as RunningRegistry;
    await stopped.close();
    expect((await fetch(`${source.base}/agents/while-away`, { method: 'DELETE' })).status).toBe(200);
    await register(source.base, 'After Gone');
    // The source's log forgets the events after the mirror's position, as its retention would.
    await redis.xtrim(redisKeys(source.prefix).changes, 'MAXLEN', 1);
    const gone = await fetch(`${source.base}/changes?since=${await redis.hget(redisKeys(prefix).mirrorPosition, 'cursor')}`);
    expect(gone.status).toBe(410);
    const mirror = await startMirror(prefix);
    const rows = await converged(source.base, mirror.baseUrl);
    expect(rows.map((row) => row.split(' ')[0])).toEqual(['after-gone', 'before-one', 'spaced-agent']);
  });

  it('follows with one process at a time: a second stands by, and takes over when the first stops', async () => {
    const first = mirrors[0]?.running as RunningRegistry;
    const second = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, FOLLOW_URL: source.base, FOLLOW_POLL_SECONDS: '1' });
    try {
      const phase = async (mirror: RunningRegistry) => ((await (await fetch(`${mirror.baseUrl}/ready`)).json()) as Body).mirror.phase as string;
      for (let i = 0; i < 50 && (await phase(second)) !== 'standby'; i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect([await phase(first), await phase(second)]).toEqual(['following', 'standby']);
      await first.close();
      await register(source.base, 'Taken Over');
      const rows = await converged(source.base, second.baseUrl);
      expect(rows.map((row) => row.split(' ')[0])).toContain('taken-over');
      expect(await phase(second)).toBe('following');
    } finally {
      await second.close();
    }
    const mirror = await startMirror(prefix);
    await converged(source.base, mirror.baseUrl);
  });

  it('keeps only the agents that match FOLLOW_FILTER, and drops one that stops matching', async () => {
    const filtered = uniquePrefix();
    await register(source.base, 'Tagged One', ['mirror-me']);
    await register(source.base, 'Tagged Two', ['mirror-me', 'other']);
    const mirror = await startMirror(filtered, { FOLLOW_FILTER: 'tag=mirror-me' });
    expect((await converged(source.base, mirror.baseUrl, '&tag=mirror-me')).map((row) => row.split(' ')[0])).toEqual(['tagged-one', 'tagged-two']);
    await register(source.base, 'Tagged Two', ['other']);
    await register(source.base, 'Tagged Three', ['mirror-me']);
    await register(source.base, 'Untagged', ['plain']);
    expect((await converged(source.base, mirror.baseUrl, '&tag=mirror-me')).map((row) => row.split(' ')[0])).toEqual(['tagged-one', 'tagged-three']);
  });
});

describe('a mirror of a source whose reads need credentials', () => {
  const key = 'mirror-reader-key';
  const source = useRegistry({
    AUTH_MODE: 'apikey',
    READS_REQUIRE_AUTH: 'true',
    API_KEYS: `reader:publisher:${createHash('sha256').update(key).digest('hex')}`,
  });
  const redis = connect();
  const prefixes = [uniquePrefix(), uniquePrefix()];
  const running: RunningRegistry[] = [];

  afterAll(async () => {
    for (const mirror of running) await mirror.close();
    for (const prefix of prefixes) await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('sends FOLLOW_API_KEY as a bearer credential; without it the source is down for the mirror', async () => {
    const auth = { authorization: `Bearer ${key}` };
    expect((await sendJson(`${source.base}/agents`, 'POST', { agent_card: card('Private One') }, auth)).status).toBe(201);
    const env = { REDIS_URL: redisUrl(), FOLLOW_URL: source.base, FOLLOW_POLL_SECONDS: '1', FOLLOW_RETRY_MAX_SECONDS: '1' };
    const keyed = await startRegistry({ ...env, REDIS_PREFIX: prefixes[0] as string, FOLLOW_API_KEY: key });
    running.push(keyed);
    const keyless = await startRegistry({ ...env, REDIS_PREFIX: prefixes[1] as string });
    running.push(keyless);
    let ids: string[] = [];
    for (let i = 0; i < 50 && ids.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ids = (((await (await fetch(`${keyed.baseUrl}/agents`)).json()) as Body).results as Body[]).map((r) => r.agent_id);
    }
    expect(ids).toEqual(['private-one']);
    let ready: Body = {};
    for (let i = 0; i < 50 && ready.mirror?.sourceUp !== false; i++) {
      ready = (await (await fetch(`${keyless.baseUrl}/ready`)).json()) as Body;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(ready).toMatchObject({ status: 'ready', mirror: { sourceUp: false, phase: 'snapshot' } });
    expect(((await (await fetch(`${keyless.baseUrl}/agents`)).json()) as Body).results).toEqual([]);
  });
});

describe('FOLLOW_* configuration', () => {
  it('is refused without Redis, and with a filter the mirror cannot check', async () => {
    await expect(startRegistry({ FOLLOW_URL: 'http://127.0.0.1:9' })).rejects.toThrow(/FOLLOW_URL: needs Redis \(REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES\)/);
    await expect(startRegistry({ REDIS_URL: 'redis://127.0.0.1:9', FOLLOW_URL: 'http://127.0.0.1:9', FOLLOW_FILTER: 'q=weather' })).rejects.toThrow(/FOLLOW_FILTER: expected structured search filters/);
  });
});
