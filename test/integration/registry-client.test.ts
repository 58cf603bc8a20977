import { describe, expect, it } from 'vitest';
import { RegistryClient, RegistryError, type ChangeEvent } from '../../src/client/index.js';
import { cardV1 } from '../helpers/cards.js';
import { useRegistry } from '../helpers/use-registry.js';

const card = (name: string, skill = 'client-skill', extra: Record<string, unknown> = {}) =>
  cardV1({ name, skills: [{ id: skill, name: 'S', description: 'Client test skill', tags: ['client'] }], ...extra });

/** Every request a client sent: method, path, and the headers that matter here. */
interface Sent {
  method: string;
  path: string;
  idempotencyKey: string | null;
  lastEventId: string | null;
}

/** A fetch that records each request and hands it to `intercept` (which may call the real fetch, or not). */
function recordingFetch(intercept: (request: Request, real: () => Promise<Response>, sent: Sent) => Promise<Response> = (_r, real) => real()) {
  const sent: Sent[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    const entry = { method: request.method, path: url.pathname, idempotencyKey: request.headers.get('idempotency-key'), lastEventId: request.headers.get('last-event-id') };
    sent.push(entry);
    return intercept(request, () => fetch(input, init), entry);
  };
  return { sent, fetch: wrapped };
}

/** Reads `events` in the background; `until(n)` resolves once n events arrived. */
function collect(events: AsyncIterable<ChangeEvent>) {
  const seen: ChangeEvent[] = [];
  let failed: unknown;
  const done = (async () => {
    try {
      for await (const event of events) seen.push(event);
    } catch (error) {
      failed = error;
    }
  })();
  const until = async (count: number, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (seen.length < count) {
      if (failed) throw failed;
      if (Date.now() > deadline) throw new Error(`only ${seen.length} of ${count} events: ${seen.map((e) => `${e.kind} ${e.agent_id}`).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return seen.slice(0, count);
  };
  return { seen, done, until, failed: () => failed };
}

async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryError);
  return error as RegistryError;
}

/** The change log's end now: where a watch of what happens next starts. */
const now = async (client: RegistryClient) => (await client.list({ limit: 1 })).change_cursor as string;

describe('RegistryClient against a running registry', () => {
  const ctx = useRegistry();
  const client = () => new RegistryClient({ baseUrl: ctx.base, retryDelayMs: 10 });

  it('registers, reads, updates, heartbeats and deletes an agent, with typed answers', async () => {
    const c = client();
    const saved = await c.register(card('Client Alpha'), { heartbeatTtlSeconds: 120 });
    expect(saved).toMatchObject({ success: true, agent_id: 'client-alpha', etag: `"${saved.revision}"`, status: 'active', created: true, heartbeat_ttl_seconds: 120 });

    const record = await c.get('client-alpha');
    expect(record).toMatchObject({ agent_id: 'client-alpha', revision: saved.revision, status: 'active', format: 'a2a-1.0', signature_status: 'unsigned', found: true });
    expect(record.agent_card).toEqual(card('Client Alpha'));

    const updated = await c.update('client-alpha', card('Client Alpha', 'client-skill', { version: '2.0.0' }), { expectedRevision: saved.revision });
    expect(updated).toMatchObject({ created: false });
    expect(updated.revision).toBeGreaterThan(saved.revision);
    expect((await c.get('client-alpha', { minRevision: updated.revision })).agent_card.version).toBe('2.0.0');

    const beat = await c.heartbeat('client-alpha');
    expect(beat).toMatchObject({ success: true, agent_id: 'client-alpha', status: 'active', reactivated: false });
    expect(Date.parse(beat.expires_at as string)).toBeGreaterThan(Date.now());

    const deleted = await c.delete('client-alpha', { expectedRevision: updated.revision });
    expect(deleted).toMatchObject({ success: true, agent_id: 'client-alpha' });
    const gone = await rejection(c.get('client-alpha'));
    expect(gone).toMatchObject({ status: 404, code: 'agent_not_found' });
  });

  it('registers under a chosen id, create-only, and surfaces refusals as RegistryErrors with their codes', async () => {
    const c = client();
    expect(await c.register(card('Chosen'), { agentId: 'chosen-one', createOnly: true })).toMatchObject({ agent_id: 'chosen-one', created: true });
    expect(await rejection(c.register(card('Chosen'), { agentId: 'chosen-one', createOnly: true }))).toMatchObject({ status: 409 });
    expect(await rejection(c.register(card('Chosen'), { agentId: 'chosen-one', expectedRevision: 7 }))).toMatchObject({ status: 412, code: 'precondition_failed' });
    expect(await rejection(c.update('never-registered', card('Never Registered')))).toMatchObject({ status: 412 });

    const invalid = await rejection(c.register({ name: 'No Skills' }));
    expect(invalid.status).toBe(400);
    expect(invalid.code).toBe('invalid_agent_card');
    expect(invalid.violations.length).toBeGreaterThan(0);
    expect(invalid.violations[0]).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(await rejection(c.search({ limit: 0 }))).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('searches a page at a time, and walks every page of a search and a listing once each', async () => {
    const c = client();
    for (const n of [1, 2, 3, 4, 5]) await c.register(card(`Paged Agent ${n}`, 'paged-skill'));
    const first = await c.search({ skills: ['paged-skill'], limit: 2 });
    expect(first.count).toBe(2);
    expect(first.total).toBe(5);
    expect(first.next_cursor).toEqual(expect.any(String));
    expect(first.results.map((r) => r.name)).toEqual(first.agents.map((a) => a.name));

    const pages = [];
    for await (const page of c.searchPages({ skills: ['paged-skill'], limit: 2 })) pages.push(page);
    expect(pages.map((p) => p.count)).toEqual([2, 2, 1]);
    const ids = pages.flatMap((p) => p.results.map((r) => r.agent_id));
    expect(ids.sort()).toEqual(['paged-agent-1', 'paged-agent-2', 'paged-agent-3', 'paged-agent-4', 'paged-agent-5']);

    expect((await c.search({ query: 'paged agent', skills: ['paged-skill'], tags: ['client'], streaming: true, limit: 1 })).total).toBe(5);

    const listing = await c.list({ limit: 3 });
    expect(listing.change_cursor).toEqual(expect.any(String));
    const listed = [];
    for await (const page of c.listPages({ skills: ['paged-skill'], limit: 2 })) listed.push(...page.results.map((r) => r.agent_id));
    expect(listed).toEqual(['paged-agent-1', 'paged-agent-2', 'paged-agent-3', 'paged-agent-4', 'paged-agent-5']);
  });

  it('reads the change log a page at a time, with its filters', async () => {
    const c = client();
    const since = await now(c);
    await c.register(card('Logged One'));
    await c.register(card('Logged Two'));
    await c.register(card('Logged One', 'client-skill', { version: '9.0.0' }));
    const page = await c.changes({ since, limit: 10 });
    expect(page.changes.map((e) => `${e.kind} ${e.agent_id}`)).toEqual(['registered logged-one', 'registered logged-two', 'updated logged-one']);
    expect(page.has_more).toBe(false);
    expect((await c.changes({ since, kinds: ['updated'] })).changes.map((e) => e.agent_id)).toEqual(['logged-one']);
    expect((await c.changes({ since, agentId: 'logged-two', includeCard: false })).changes).toMatchObject([{ kind: 'registered', agent_id: 'logged-two' }]);
    expect((await c.changes({ since, limit: 1 })).has_more).toBe(true);
  });

  it('surfaces a cursor whose events are no longer kept as a 410 changes_gone RegistryError, from a page and from a watch', async () => {
    const c = client();
    expect(await rejection(c.changes({ since: '1-0.00000000' }))).toMatchObject({ status: 410, code: 'changes_gone' });
    const watching = collect(c.watch({ since: '1-0.00000000' }));
    await watching.done;
    expect(watching.failed()).toBeInstanceOf(RegistryError);
    expect(watching.failed()).toMatchObject({ status: 410, code: 'changes_gone' });
  });
});

describe('retries with an idempotency key', () => {
  const ctx = useRegistry();

  it('a create whose answer was lost after the registry applied it is retried with the same key and gets the original 201, not a 409', async () => {
    let dropped = false;
    const { sent, fetch } = recordingFetch(async (request, real) => {
      const res = await real();
      if (request.method === 'POST' && !dropped) {
        dropped = true;
        await res.arrayBuffer();
        throw new TypeError('fetch failed (the test dropped the answer)');
      }
      return res;
    });
    const c = new RegistryClient({ baseUrl: ctx.base, fetch, retryDelayMs: 10 });
    const since = await now(c);
    const saved = await c.register(card('Lost Answer'), { createOnly: true });
    expect(saved).toMatchObject({ agent_id: 'lost-answer', created: true });

    const writes = sent.filter((s) => s.method === 'POST');
    expect(writes).toHaveLength(2);
    expect(writes[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(writes[1]?.idempotencyKey).toBe(writes[0]?.idempotencyKey);
    // Written once: one event, one revision.
    expect((await c.changes({ since })).changes.map((e) => `${e.kind} ${e.agent_id} ${e.revision}`)).toEqual([`registered lost-answer ${saved.revision}`]);
    expect((await c.get('lost-answer')).revision).toBe(saved.revision);
  });

  it('a delete whose answer was lost is retried with the same key and gets the original 200, not a 404', async () => {
    let dropped = false;
    const { sent, fetch } = recordingFetch(async (request, real) => {
      const res = await real();
      if (request.method === 'DELETE' && !dropped) {
        dropped = true;
        await res.arrayBuffer();
        throw new TypeError('fetch failed');
      }
      return res;
    });
    const c = new RegistryClient({ baseUrl: ctx.base, fetch, retryDelayMs: 10 });
    await c.register(card('Lost Delete'));
    expect(await c.delete('lost-delete', { idempotencyKey: 'delete-lost-delete-1' })).toMatchObject({ success: true, agent_id: 'lost-delete' });
    expect(sent.filter((s) => s.method === 'DELETE').map((s) => s.idempotencyKey)).toEqual(['delete-lost-delete-1', 'delete-lost-delete-1']);
  });

  it('every write gets a key of its own, so two registrations are two writes', async () => {
    const { sent, fetch } = recordingFetch();
    const c = new RegistryClient({ baseUrl: ctx.base, fetch });
    const first = await c.register(card('Own Key'));
    const second = await c.register(card('Own Key', 'client-skill', { version: '3.0.0' }));
    const keys = sent.filter((s) => s.method === 'POST').map((s) => s.idempotencyKey);
    expect(new Set(keys).size).toBe(2);
    expect(second).toMatchObject({ created: false });
    expect(second.revision).toBeGreaterThan(first.revision);
    expect((await c.get('own-key')).revision).toBe(second.revision);
  });
});

describe('watch', () => {
  const ctx = useRegistry();

  it('follows new events, and after the registry kills the connection mid-stream resumes with Last-Event-ID and sees every event exactly once', async () => {
    const { sent, fetch } = recordingFetch();
    const c = new RegistryClient({ baseUrl: ctx.base, fetch, retryDelayMs: 10 });
    const since = await now(c);
    const abort = new AbortController();
    const watching = collect(c.watch({ since, signal: abort.signal }));
    for (const n of [1, 2, 3]) await c.register(card(`Watched ${n}`));
    const before = await watching.until(3);

    ctx.server.closeAllConnections();
    for (const n of [4, 5, 6]) await c.register(card(`Watched ${n}`));
    await c.delete('watched-1');
    const all = await watching.until(7);
    abort.abort();
    await watching.done;

    const expected = (await c.changes({ since })).changes;
    expect(all.map((e) => e.cursor)).toEqual(expected.map((e) => e.cursor));
    expect(all.map((e) => `${e.kind} ${e.agent_id}`)).toEqual([
      ...[1, 2, 3, 4, 5, 6].map((n) => `registered watched-${n}`),
      'deleted watched-1',
    ]);
    expect(watching.seen).toHaveLength(7);
    const streams = sent.filter((s) => s.path === '/changes/stream');
    expect(streams.length).toBeGreaterThanOrEqual(2);
    expect(streams[0]?.lastEventId).toBe(since);
    expect(streams.map((s) => s.lastEventId)).toContain(before[2]?.cursor);
    expect(watching.failed()).toBeUndefined();
  });

  it('drops an event cut off in the middle and gets it whole from the next connection', async () => {
    // The first stream is cut after the first event and half of the second.
    let cut = false;
    const { sent, fetch } = recordingFetch(async (request, real) => {
      const res = await real();
      if (!request.url.includes('/changes/stream') || cut || !res.body) return res;
      cut = true;
      const reader = res.body.getReader();
      let received = '';
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          const { value, done } = await reader.read();
          if (done) return controller.close();
          received += new TextDecoder().decode(value);
          const events = received.split('\n\n');
          if (events.length > 2) {
            const keep = `${events[0]}\n\n${(events[1] as string).slice(0, 40)}`;
            controller.enqueue(new TextEncoder().encode(keep));
            await reader.cancel();
            controller.error(new TypeError('terminated'));
          }
        },
      });
      return new Response(body, { status: res.status, headers: res.headers });
    });
    const c = new RegistryClient({ baseUrl: ctx.base, fetch, retryDelayMs: 10 });
    const since = await now(c);
    for (const n of [1, 2, 3]) await c.register(card(`Cut ${n}`));
    const abort = new AbortController();
    const watching = collect(c.watch({ since, signal: abort.signal, includeCard: false }));
    const events = await watching.until(3);
    abort.abort();
    await watching.done;
    expect(events.map((e) => e.agent_id)).toEqual(['cut-1', 'cut-2', 'cut-3']);
    expect(watching.seen).toHaveLength(3);
    const streams = sent.filter((s) => s.path === '/changes/stream');
    expect(streams).toHaveLength(2);
    expect(streams[1]?.lastEventId).toBe(events[0]?.cursor);
  });

  it('filters by kind and agent, and ends without an error when its signal aborts', async () => {
    const c = new RegistryClient({ baseUrl: ctx.base, retryDelayMs: 10 });
    const since = await now(c);
    const abort = new AbortController();
    const watching = collect(c.watch({ since, kinds: ['updated'], agentId: 'filtered-a', signal: abort.signal }));
    await c.register(card('Filtered A'));
    await c.register(card('Filtered B'));
    await c.register(card('Filtered B', 'client-skill', { version: '2.0.0' }));
    await c.register(card('Filtered A', 'client-skill', { version: '2.0.0' }));
    expect((await watching.until(1)).map((e) => `${e.kind} ${e.agent_id}`)).toEqual(['updated filtered-a']);
    abort.abort();
    await watching.done;
    expect(watching.failed()).toBeUndefined();
    expect(watching.seen).toHaveLength(1);
  });
});
