import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, redisUrl, uniquePrefix } from '../helpers/redis.js';
import { sendJson, startRegistry, type RunningRegistry } from '../helpers/registry-server.js';
import { openSse } from '../helpers/sse.js';
import { useRegistry } from '../helpers/use-registry.js';
import { writeOf } from '../helpers/store-backends.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

const card = (name: string, extra: Record<string, unknown> = {}) =>
  cardV1({ name, skills: [{ id: 'change-skill', name: 'S', description: 'D', tags: ['t'] }], ...extra });

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Body }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Body };
}

async function register(base: string, name: string, extra: Record<string, unknown> = {}): Promise<Body> {
  const res = await sendJson(`${base}/agents`, 'POST', { agent_card: card(name, extra) });
  expect([200, 201]).toContain(res.status);
  return (await res.json()) as Body;
}

/** Every event after `since`, page after page. */
async function allChanges(base: string, since?: string, query = ''): Promise<Body[]> {
  const events: Body[] = [];
  let cursor = since;
  for (let page = 0; page < 100; page++) {
    const { status, body } = await json(`${base}/changes?limit=3${cursor ? `&since=${cursor}` : ''}${query}`);
    expect(status).toBe(200);
    events.push(...body.changes);
    cursor = body.next_cursor;
    if (!body.has_more) return events;
  }
  throw new Error('too many pages');
}

describe('GET /changes', () => {
  const ctx = useRegistry();

  it('tells every change in order, each with its cursor, kind, revision, time and summary; the card while it is current', async () => {
    const start = (await json(`${ctx.base}/changes`)).body.next_cursor as string;
    const first = await register(ctx.base, 'Change One');
    const second = await register(ctx.base, 'Change One', { version: '2.0.0' });
    const other = await register(ctx.base, 'Change Two');
    const removed = await json(`${ctx.base}/agents/change-two`, { method: 'DELETE' });
    expect(removed.status).toBe(200);

    const events = await allChanges(ctx.base, start);
    expect(events.map((e) => `${e.kind} ${e.agent_id} ${e.revision}`)).toEqual([
      `registered change-one ${first.revision}`,
      `updated change-one ${second.revision}`,
      `registered change-two ${other.revision}`,
      `deleted change-two ${other.revision + 1}`,
    ]);
    const [registered, updated, registeredTwo, deleted] = events as [Body, Body, Body, Body];
    expect(registered.card_superseded).toBe(true);
    expect(registered.agent_card).toBeUndefined();
    expect(updated.agent_card).toEqual(card('Change One', { version: '2.0.0' }));
    expect(updated.summary).toMatchObject({ name: 'Change One', format: 'a2a-1.0', signature_status: 'unsigned' });
    expect(registeredTwo.card_superseded).toBe(true);
    expect(deleted.summary).toBeUndefined();
    expect(Date.parse(updated.at)).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.cursor)).size).toBe(4);
  });

  it('leaves the cards out with include_card=false, and filters by agent and kind', async () => {
    const start = (await json(`${ctx.base}/changes`)).body.next_cursor as string;
    await register(ctx.base, 'Filter A');
    await register(ctx.base, 'Filter B');
    await register(ctx.base, 'Filter A', { version: '3.0.0' });
    const lean = await allChanges(ctx.base, start, '&include_card=false');
    expect(lean.every((e) => e.agent_card === undefined && e.card_superseded === undefined)).toBe(true);
    expect((await allChanges(ctx.base, start, '&agent_id=filter-a')).map((e) => e.kind)).toEqual(['registered', 'updated']);
    expect((await allChanges(ctx.base, start, '&kind=updated')).map((e) => e.agent_id)).toEqual(['filter-a']);
    expect((await allChanges(ctx.base, start, '&kind=registered&agent_id=filter-b,filter-a')).map((e) => e.agent_id)).toEqual(['filter-a', 'filter-b']);
  });

  it('filters by the structured filters of search, judged by the current card, so that a reader ends up with the agents that match', async () => {
    const start = (await json(`${ctx.base}/changes`)).body.next_cursor as string;
    const tinted = (tag: string) => ({ skills: [{ id: 'tint', name: 'Tint', description: 'Tints', tags: [tag] }] });
    const remove = async (id: string) => expect((await json(`${ctx.base}/agents/${id}`, { method: 'DELETE' })).status).toBe(200);
    await register(ctx.base, 'Tint One', tinted('blue'));
    await register(ctx.base, 'Tint Two', tinted('red'));
    await register(ctx.base, 'Tint Three', tinted('blue'));
    await register(ctx.base, 'Tint Three', { ...tinted('red'), version: '2.0.0' });
    await register(ctx.base, 'Tint Two', { ...tinted('blue'), version: '2.0.0' });
    await remove('tint-one');
    await register(ctx.base, 'Tint Four', tinted('red'));
    await remove('tint-four');
    await register(ctx.base, 'Tint Five', tinted('blue'));
    await remove('tint-five');
    await register(ctx.base, 'Tint Five', tinted('red')); // the same id again, another card

    const events = await allChanges(ctx.base, start, '&tag=blue');
    expect(events.map((e) => [e.kind, e.agent_id, e.filter_match])).toEqual([
      ['registered', 'tint-two', true], // its card is blue now: a later event carries it
      ['updated', 'tint-three', false], // no longer blue: a reader that holds it drops it
      ['updated', 'tint-two', true],
      ['deleted', 'tint-one', undefined], // removals pass: the registry no longer has the card
      ['deleted', 'tint-four', undefined],
      ['deleted', 'tint-five', undefined], // though an agent of that id is stored again
    ]);
    expect(events[1]?.agent_card).toBeUndefined();
    expect(events[2]?.agent_card).toEqual(card('Tint Two', { ...tinted('blue'), version: '2.0.0' }));
    const held = new Set<string>();
    for (const e of events) (e.filter_match === true ? held.add(e.agent_id) : held.delete(e.agent_id));
    const { body } = await json(`${ctx.base}/agents?tag=blue&skill=tint`);
    expect([...held].sort()).toEqual(body.results.map((a: Body) => a.agent_id).sort());

    const rpc = (await (await sendJson(`${ctx.base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method: 'list_changes', params: { since: start, tag: ['blue'], kind: 'updated' } })).json()) as Body;
    expect(rpc.result.changes.map((e: Body) => [e.agent_id, e.filter_match])).toEqual([['tint-three', false], ['tint-two', true]]);
    const bad = await json(`${ctx.base}/changes?streaming=maybe&tag=${'x'.repeat(513)}`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.violations.map((v: Body) => v.path).sort()).toEqual(['$.streaming', '$.tag[0]'].sort());
  });

  it('refuses a bad cursor, kind or limit with 400, and a cursor of another data set with 410', async () => {
    for (const query of ['since=nonsense', 'kind=exploded', 'limit=0', 'limit=501', 'colour=red']) {
      const { status, body } = await json(`${ctx.base}/changes?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code).toBe('validation_failed');
    }
    const { status, body } = await json(`${ctx.base}/changes?since=1-0.00000000`);
    expect(status).toBe(410);
    expect(body.error.code).toBe('changes_gone');
    expect(body.error.message).toMatch(/change_cursor/);
  });

  it('answers list_changes over JSON-RPC with the same page', async () => {
    const start = (await json(`${ctx.base}/changes`)).body.next_cursor as string;
    await register(ctx.base, 'Rpc Change');
    const res = await sendJson(`${ctx.base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 1, method: 'list_changes', params: { since: start, kind: ['registered'] } });
    const { result } = (await res.json()) as Body;
    expect(result.changes.map((e: Body) => e.agent_id)).toEqual(['rpc-change']);
    expect(result.next_cursor).toBe(result.changes[0].cursor);
    const gone = (await (await sendJson(`${ctx.base}/jsonrpc`, 'POST', { jsonrpc: '2.0', id: 2, method: 'list_changes', params: { since: '1-0.00000000' } })).json()) as Body;
    expect(gone.error.code).toBe(-32020);
  });

  it('a listing carries change_cursor: following from it after reading every page misses no change', async () => {
    for (const name of ['Snap A', 'Snap B', 'Snap C']) await register(ctx.base, name);
    const first = await json(`${ctx.base}/agents?limit=2`);
    const cursor = first.body.change_cursor as string;
    expect(cursor).toMatch(/^\d+-\d+\.[0-9a-f]{8}$/);
    // Changes made while the snapshot is being read, and after.
    await register(ctx.base, 'Snap D');
    await json(`${ctx.base}/agents/snap-a`, { method: 'DELETE' });
    const after = await allChanges(ctx.base, cursor);
    expect(after.map((e) => `${e.kind} ${e.agent_id}`)).toEqual(['registered snap-d', 'deleted snap-a']);
    // A search is no snapshot: it carries none.
    expect((await json(`${ctx.base}/agents?skill=change-skill`)).body.change_cursor).toBeUndefined();
  });
});

describe('a change log that has dropped the events after a cursor', () => {
  const prefix = uniquePrefix();
  const redis = connect();
  let running: RunningRegistry;
  afterAll(async () => {
    await running?.close();
    await deleteKeys(redis, prefix);
    redis.disconnect();
  });

  it('answers 410 to that cursor, and a new listing gives a cursor to go on from', async () => {
    running = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: prefix, CHANGE_LOG_EVENTS: '1000' });
    const old = (await json(`${running.baseUrl}/changes`)).body.next_cursor as string;
    await register(running.baseUrl, 'Before The Trim');
    const store = new RedisAgentStore(connect(), redisKeys(prefix), storedCards, undefined, undefined, undefined, 1000);
    for (let i = 0; i < 1300; i++) await store.save(writeOf(`bulk-${i}`, cardV1({ name: `Bulk ${i}` })));
    await store.close();
    const { status, body } = await json(`${running.baseUrl}/changes?since=${old}`);
    expect(status).toBe(410);
    expect(body.error.message).toMatch(/no longer kept/);
    const cursor = (await json(`${running.baseUrl}/agents?limit=1`)).body.change_cursor as string;
    expect((await json(`${running.baseUrl}/changes?since=${cursor}`)).status).toBe(200);
  });
});

describe('GET /changes/stream', () => {
  const ctx = useRegistry({ CHANGE_STREAM_HEARTBEAT_SECONDS: '1' });
  let other: RunningRegistry;
  beforeAll(async () => {
    // A second replica on the same Redis: a stream may resume on either.
    other = await startRegistry({ REDIS_URL: redisUrl(), REDIS_PREFIX: ctx.prefix, CHANGE_STREAM_HEARTBEAT_SECONDS: '1' });
  });
  afterAll(async () => {
    await other.close();
  });

  it('sends each change as an event whose id is its cursor, and keeps an idle stream open with comments', async () => {
    const start = (await json(`${ctx.base}/changes`)).body.next_cursor as string;
    const stream = await openSse(`${ctx.base}/changes/stream?since=${start}`);
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      await register(other.baseUrl, 'Streamed One');
      const [event] = await stream.waitForEvents(1);
      expect(event?.event).toBe('change');
      const data = JSON.parse(event?.data ?? '{}') as Body;
      expect(data).toMatchObject({ kind: 'registered', agent_id: 'streamed-one' });
      expect(event?.id).toBe(data.cursor);
      await expect.poll(() => stream.comments.length, { timeout: 4000 }).toBeGreaterThan(0);
    } finally {
      stream.close();
    }
  });

  it('a client cut off at random points that resumes with Last-Event-ID, on either replica, sees every event exactly once', async () => {
    const start = (await json(`${ctx.base}/changes`)).body.next_cursor as string;
    const names = Array.from({ length: 40 }, (_, i) => `Resumed ${i}`);
    const writing = (async () => {
      for (const name of names) await register(ctx.base, name);
    })();
    const seen: Body[] = [];
    let last = start;
    let round = 0;
    while (seen.length < names.length && round < 200) {
      const base = round++ % 2 === 0 ? ctx.base : other.baseUrl;
      const stream = await openSse(`${base}/changes/stream?kind=registered`, last);
      const wanted = Math.min(names.length - seen.length, 1 + Math.floor(Math.random() * 6));
      await stream.waitForEvents(wanted, 10_000).catch(() => undefined);
      stream.close();
      for (const event of stream.events) {
        seen.push(JSON.parse(event.data) as Body);
        last = event.id as string;
      }
    }
    await writing;
    expect(seen.map((e) => e.agent_id)).toEqual(names.map((name) => name.toLowerCase().replace(' ', '-')));
  });

  it('answers a bad or expired Last-Event-ID with a JSON error before any event', async () => {
    const bad = await fetch(`${ctx.base}/changes/stream`, { headers: { 'last-event-id': 'garbage' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Body).error.violations[0].path).toBe('header:Last-Event-ID');
    const gone = await fetch(`${ctx.base}/changes/stream`, { headers: { 'last-event-id': '1-0.00000000' } });
    expect(gone.status).toBe(410);
  });
});

describe('a change stream opened at the end of the log', () => {
  const ctx = useRegistry();

  it('answers with its headers at once, not with the first event or keep-alive (15 s away by default)', async () => {
    const start = (await json(`${ctx.base}/changes`)).body.next_cursor as string;
    const opened = Date.now();
    const stream = await openSse(`${ctx.base}/changes/stream?since=${start}`);
    try {
      expect(stream.status).toBe(200);
      expect(Date.now() - opened).toBeLessThan(5000);
      await register(ctx.base, 'After Headers');
      const [event] = await stream.waitForEvents(1);
      expect(JSON.parse(event?.data ?? '{}')).toMatchObject({ kind: 'registered', agent_id: 'after-headers' });
    } finally {
      stream.close();
    }
  });
});
