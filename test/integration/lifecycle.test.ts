import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/auth/authenticators.js';
import { cardV1 } from '../helpers/cards.js';
import { rpc } from '../helpers/jsonrpc.js';
import { sendJson } from '../helpers/registry-server.js';
import { useRegistry } from '../helpers/use-registry.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Body = Record<string, any>;

const KEYS = { alice: 'alice-lifecycle-key', bob: 'bob-lifecycle-key', root: 'root-lifecycle-key' };
const API_KEYS = [`alice:publisher:${sha256Hex(KEYS.alice)}`, `bob:publisher:${sha256Hex(KEYS.bob)}`, `root:admin:${sha256Hex(KEYS.root)}`].join(',');
const as = (who: keyof typeof KEYS) => ({ authorization: `Bearer ${KEYS[who]}` });

const card = (name: string) => cardV1({ name, skills: [{ id: 'lifecycle-skill', name: 'Lifecycle', description: 'Lifecycle tests', tags: ['lc'] }] });

async function json(response: Response): Promise<{ status: number; body: Body; etag: string | null }> {
  return { status: response.status, body: (await response.json()) as Body, etag: response.headers.get('etag') };
}

async function register(base: string, name: string, who: keyof typeof KEYS = 'alice'): Promise<Body> {
  const res = await json(await sendJson(`${base}/agents`, 'POST', { agent_card: card(name) }, as(who)));
  expect(res.status).toBe(201);
  return res.body;
}

const patch = async (base: string, id: string, body: unknown, headers: Record<string, string> = as('alice')) =>
  json(await sendJson(`${base}/agents/${id}`, 'PATCH', body, headers));
const get = async (url: string, headers: Record<string, string> = {}) => json(await fetch(url, { headers }));

/** Every page of `GET /agents?updated_since=...`, following `next_cursor`. */
async function changedSince(base: string, since: string, extra = '', limit = 2): Promise<{ ids: string[]; deleted: Body[]; pages: Body[] }> {
  const ids: string[] = [];
  const deleted: Body[] = [];
  const pages: Body[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const { status, body } = await get(`${base}/agents?updated_since=${encodeURIComponent(since)}&limit=${limit}${extra}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(status).toBe(200);
    pages.push(body);
    ids.push(...body.results.map((r: Body) => r.agent_id));
    deleted.push(...(body.deleted ?? []));
    cursor = body.next_cursor;
    if (!cursor) return { ids, deleted, pages };
  }
  throw new Error('too many pages');
}

describe('the owner-controlled lifecycle', () => {
  const ctx = useRegistry({ AUTH_MODE: 'apikey', API_KEYS, ROLE: 'api' });

  it('lets the owner deprecate an agent with a message: the record, its ETag and the change log say so', async () => {
    const registered = await register(ctx.base, 'LC Deprecated One');
    expect(registered.lifecycle_status).toBe('active');
    const changed = await patch(ctx.base, 'lc-deprecated-one', { status: 'deprecated', status_message: 'Use lc-deprecated-two' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ success: true, agent_id: 'lc-deprecated-one', lifecycle_status: 'deprecated', status_message: 'Use lc-deprecated-two' });
    expect(changed.body.revision).toBeGreaterThan(registered.revision);
    expect(changed.etag).toBe(`"${changed.body.revision}"`);

    const read = await get(`${ctx.base}/agents/lc-deprecated-one`);
    expect(read.body).toMatchObject({ status: 'active', lifecycle_status: 'deprecated', status_message: 'Use lc-deprecated-two', revision: changed.body.revision });
    expect(Date.parse(read.body.status_changed_at)).toBeGreaterThan(0);

    const log = await get(`${ctx.base}/changes?agent_id=lc-deprecated-one&kind=status_changed`);
    expect(log.body.changes).toHaveLength(1);
    expect(log.body.changes[0]).toMatchObject({ kind: 'status_changed', revision: changed.body.revision, lifecycle_status: 'deprecated', status_message: 'Use lc-deprecated-two' });
  });

  it('refuses another publisher with 403 and lets an admin change it', async () => {
    const registered = await register(ctx.base, 'LC Guarded');
    const refused = await patch(ctx.base, 'lc-guarded', { status: 'deprecated' }, as('bob'));
    expect(refused.status).toBe(403);
    expect((await get(`${ctx.base}/agents/lc-guarded`)).body).toMatchObject({ revision: registered.revision, lifecycle_status: 'active' });
    const unauthenticated = await json(await sendJson(`${ctx.base}/agents/lc-guarded`, 'PATCH', { status: 'deprecated' }));
    expect(unauthenticated.status).toBe(401);

    const byAdmin = await patch(ctx.base, 'lc-guarded', { status: 'deprecated' }, as('root'));
    expect(byAdmin.status).toBe(200);
    expect((await get(`${ctx.base}/agents/lc-guarded`)).body.lifecycle_status).toBe('deprecated');
  });

  it('answers bad bodies with a JSON 400 that names each problem, changing nothing', async () => {
    const registered = await register(ctx.base, 'LC Bad Bodies');
    const bodies: [unknown, string][] = [
      [{ status: 'retired' }, '$.status'],
      [{}, '$.status'],
      [{ status: 'deprecated', status_message: 'x'.repeat(501) }, '$.status_message'],
      [{ status: 'deprecated', extra: true }, '$'],
      [{ status: 'deprecated', agent_id: 'other' }, '$'],
      [{ status: 'deleted', status_message: 'gone' }, '$.status_message'],
      [['deprecated'], '$'],
    ];
    for (const [body, path] of bodies) {
      const answer = await patch(ctx.base, 'lc-bad-bodies', body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.error.violations.map((v: Body) => v.path), JSON.stringify(body)).toContain(path);
    }
    const notJson = await json(await sendJson(`${ctx.base}/agents/lc-bad-bodies`, 'PATCH', '{"status":', as('alice')));
    expect(notJson.status).toBe(400);
    expect((await get(`${ctx.base}/agents/lc-bad-bodies`)).body).toMatchObject({ revision: registered.revision, lifecycle_status: 'active' });
    expect((await patch(ctx.base, 'lc-nobody', { status: 'deprecated' })).status).toBe(404);
  });

  it('honours If-Match: a stale revision gets 412 and changes nothing, the current one goes through', async () => {
    const registered = await register(ctx.base, 'LC Preconditions');
    const stale = await patch(ctx.base, 'lc-preconditions', { status: 'deprecated' }, { ...as('alice'), 'if-match': `"${registered.revision + 1000}"` });
    expect(stale.status).toBe(412);
    expect((await get(`${ctx.base}/agents/lc-preconditions`)).body.lifecycle_status).toBe('active');
    const current = await patch(ctx.base, 'lc-preconditions', { status: 'deprecated' }, { ...as('alice'), 'if-match': `"${registered.revision}"` });
    expect(current.status).toBe(200);
    const back = await patch(ctx.base, 'lc-preconditions', { status: 'active' }, { ...as('alice'), 'if-match': current.etag as string });
    expect(back.body).toMatchObject({ lifecycle_status: 'active' });
    expect(back.body.status_message).toBeUndefined();
  });

  it('marks deprecated agents in search results and ranks them after active ones', async () => {
    await register(ctx.base, 'LC Rank A');
    await register(ctx.base, 'LC Rank B');
    await patch(ctx.base, 'lc-rank-a', { status: 'deprecated', status_message: 'Use lc-rank-b' });

    const search = await get(`${ctx.base}/agents/search?q=rank&skill=lifecycle-skill`);
    expect(search.body.results.map((r: Body) => [r.agent_id, r.lifecycle_status])).toEqual([
      ['lc-rank-b', 'active'],
      ['lc-rank-a', 'deprecated'],
    ]);
    expect(search.body.results[1].status_message).toBe('Use lc-rank-b');
    // Plain listings stay in id order (their cursors are ids), each deprecated agent marked.
    const listing = await get(`${ctx.base}/agents?limit=200`);
    const ids = listing.body.results.map((r: Body) => r.agent_id);
    expect(ids.indexOf('lc-rank-a')).toBeLessThan(ids.indexOf('lc-rank-b'));
    expect(listing.body.results.find((r: Body) => r.agent_id === 'lc-rank-a').lifecycle_status).toBe('deprecated');
  });

  it('removes an agent with status deleted as DELETE does: 404 after, a deleted event, and a tombstone', async () => {
    const since = new Date().toISOString();
    const registered = await register(ctx.base, 'LC Patched Away');
    const removed = await patch(ctx.base, 'lc-patched-away', { status: 'deleted' });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ success: true, agent_id: 'lc-patched-away', revision: registered.revision, lifecycle_status: 'deleted' });
    expect((await get(`${ctx.base}/agents/lc-patched-away`)).status).toBe(404);
    const log = await get(`${ctx.base}/changes?agent_id=lc-patched-away&kind=deleted`);
    expect(log.body.changes).toHaveLength(1);

    await register(ctx.base, 'LC Deleted Plainly');
    expect((await json(await fetch(`${ctx.base}/agents/lc-deleted-plainly`, { method: 'DELETE', headers: as('alice') }))).status).toBe(200);
    expect((await get(`${ctx.base}/agents/lc-deleted-plainly`)).status).toBe(404);

    const withDeleted = await changedSince(ctx.base, since, '&include_deleted=true');
    const tombstones = withDeleted.deleted.filter((t) => t.agent_id.startsWith('lc-patched-away') || t.agent_id === 'lc-deleted-plainly');
    expect(tombstones.map((t) => t.agent_id)).toEqual(['lc-patched-away', 'lc-deleted-plainly']);
    expect(tombstones[0]).toEqual({ agent_id: 'lc-patched-away', revision: log.body.changes[0].revision, lifecycle_status: 'deleted', deleted_at: expect.any(String) });
    expect(Date.parse(tombstones[0]?.deleted_at)).toBeGreaterThanOrEqual(Date.parse(since));
    const withoutDeleted = await changedSince(ctx.base, since);
    expect(withoutDeleted.deleted).toEqual([]);
    expect(withoutDeleted.pages.every((page) => page.deleted === undefined)).toBe(true);

    // Registering the id again works as before, and its tombstone goes.
    await register(ctx.base, 'LC Deleted Plainly');
    const after = await changedSince(ctx.base, since, '&include_deleted=true');
    expect(after.deleted.map((t) => t.agent_id)).not.toContain('lc-deleted-plainly');
    expect(after.ids).toContain('lc-deleted-plainly');
  });

  it('lists what changed since a time in the order of the changes, with cursors, and refuses what it cannot combine', async () => {
    const since = new Date().toISOString();
    for (const name of ['LC Since A', 'LC Since B', 'LC Since C']) await register(ctx.base, name);
    await patch(ctx.base, 'lc-since-a', { status: 'deprecated' });
    const { ids, pages } = await changedSince(ctx.base, since, '', 1);
    expect(ids).toEqual(['lc-since-b', 'lc-since-c', 'lc-since-a']);
    expect(pages[0]).toMatchObject({ count: 1, total: 3, total_exact: true });

    const bad = [
      'updated_since=yesterday',
      'updated_since=2026-13-01T00:00:00Z',
      'updated_since=2026-12-01',
      `updated_since=${encodeURIComponent(since)}&skill=lifecycle-skill`,
      `updated_since=${encodeURIComponent(since)}&q=since`,
      'include_deleted=true',
      `updated_since=${encodeURIComponent(since)}&cursor=${pages[0]?.next_cursor ? 'MDp3ZWF0aGVy' : ''}`,
    ];
    for (const query of bad) {
      const answer = await get(`${ctx.base}/agents?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code, query).toBe('validation_failed');
    }
  });

  it('serves the same through JSON-RPC: set_agent_status and list_agents with updated_since', async () => {
    const since = new Date().toISOString();
    const registered = await register(ctx.base, 'LC Rpc');
    const refused = await rpc(ctx.base, 'set_agent_status', { agent_id: 'lc-rpc', status: 'deprecated' }, as('bob'));
    expect(refused.error?.code).toBe(-32014);
    const stale = await rpc(ctx.base, 'set_agent_status', { agent_id: 'lc-rpc', status: 'deprecated', expected_revision: registered.revision + 1000 }, as('alice'));
    expect(stale.error?.code).toBe(-32011);
    const invalid = await rpc(ctx.base, 'set_agent_status', { agent_id: 'lc-rpc', status: 'gone' }, as('alice'));
    expect(invalid.error?.code).toBe(-32602);

    const changed = await rpc(ctx.base, 'set_agent_status', { agent_id: 'lc-rpc', status: 'deprecated', status_message: 'old', expected_revision: registered.revision }, as('alice'));
    expect(changed.result).toMatchObject({ agent_id: 'lc-rpc', lifecycle_status: 'deprecated', status_message: 'old' });
    expect((await rpc(ctx.base, 'get_agent', { agent_id: 'lc-rpc' })).result).toMatchObject({ lifecycle_status: 'deprecated' });

    const deleted = await rpc(ctx.base, 'set_agent_status', { agent_id: 'lc-rpc', status: 'deleted', idempotency_key: 'lc-rpc-delete' }, as('alice'));
    expect(deleted.result).toMatchObject({ agent_id: 'lc-rpc', lifecycle_status: 'deleted' });
    const again = await rpc(ctx.base, 'set_agent_status', { agent_id: 'lc-rpc', status: 'deleted', idempotency_key: 'lc-rpc-delete' }, as('alice'));
    expect(again.result).toEqual(deleted.result);

    const listed = await rpc(ctx.base, 'list_agents', { updated_since: since, include_deleted: true });
    expect(listed.result.deleted.map((t: Body) => t.agent_id)).toContain('lc-rpc');
    const badTime = await rpc(ctx.base, 'list_agents', { updated_since: 'soon' });
    expect(badTime.error?.code).toBe(-32602);
  });
});
