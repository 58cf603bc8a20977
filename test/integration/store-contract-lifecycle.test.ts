import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentNotFoundError, ForbiddenError, PreconditionFailedError } from '../../src/errors.js';
import type { ChangedEntry, ChangedPosition } from '../../src/store/agent-record.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { DEPRECATED_TERM } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { idsMatching, searchAll, storeBackends as backends, TEST_OWNER, writeOf } from '../helpers/store-backends.js';

const T1 = '2025-01-01T10:00:00.000Z';
const T2 = '2025-01-02T11:30:00.000Z';
const NOW = new Date('2025-01-03T00:00:00.000Z');
const ADMIN = { id: 'root', admin: true };
const STRANGER = { id: 'someone-else', admin: false };

/** A 1.0 card named `name`, with the skill `forecast`: every test agent matches `skill:forecast`. */
const cardNamed = (name: string) =>
  cardV1({ name, skills: [{ id: 'forecast', name: 'Forecast', description: 'Seven day forecast', tags: ['weather'] }] });

/** Every entry of what changed since `since`, page after page of `limit`. */
async function changedAll(store: AgentStore, since: number, limit: number, includeDeleted: boolean): Promise<ChangedEntry[]> {
  const entries: ChangedEntry[] = [];
  let after: ChangedPosition | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.changedSince(since, after, limit, includeDeleted);
    entries.push(...page.entries);
    if (page.entries.length < limit) return entries;
    after = page.entries.at(-1)?.position;
  }
  throw new Error('the listing did not end within 1,000 pages');
}

const nameOf = (entry: ChangedEntry) => (entry.kind === 'agent' ? entry.id : `deleted:${entry.tombstone.id}`);

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s lifecycle contract', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  describe('setLifecycle', () => {
    it('deprecates an agent with a message, in a new revision, told as status_changed', async () => {
      const { record } = await store.save(writeOf('weather', cardNamed('Weather'), T1));
      const changed = await store.setLifecycle('weather', { status: 'deprecated', message: 'use weather-2', now: NOW, actor: TEST_OWNER });

      expect(changed.revision).toBeGreaterThan(record.revision);
      const expected = { status: 'deprecated', message: 'use weather-2', changedAt: NOW.toISOString() };
      expect(changed.lifecycle).toEqual(expected);
      const stored = await store.get('weather');
      expect(stored?.lifecycle).toEqual(expected);
      expect(stored?.revision).toBe(changed.revision);
      expect(stored?.status).toBe('active');
      const events = (await store.readChanges(undefined, 10)).events;
      expect(events.at(-1)).toMatchObject({ agentId: 'weather', kind: 'status_changed', revision: changed.revision, lifecycle: { status: 'deprecated', message: 'use weather-2' } });
    });

    it('makes a deprecated agent active again, dropping its message', async () => {
      await store.save(writeOf('weather', cardNamed('Weather'), T1));
      await store.setLifecycle('weather', { status: 'deprecated', message: 'old', now: NOW, actor: TEST_OWNER });
      await store.setLifecycle('weather', { status: 'active', now: NOW, actor: TEST_OWNER });

      expect((await store.get('weather'))?.lifecycle).toEqual({ status: 'active', changedAt: NOW.toISOString() });
      expect(await idsMatching(store, [DEPRECATED_TERM])).toEqual([]);
      const events = (await store.readChanges(undefined, 10)).events;
      expect(events.at(-1)).toMatchObject({ kind: 'status_changed', lifecycle: { status: 'active' } });
      expect(events.at(-1)?.lifecycle?.message).toBeUndefined();
    });

    it('lets an admin change another owner\'s agent, and refuses anyone else, changing nothing', async () => {
      const { record } = await store.save(writeOf('weather', cardNamed('Weather'), T1));
      await expect(store.setLifecycle('weather', { status: 'deprecated', now: NOW, actor: STRANGER })).rejects.toBeInstanceOf(ForbiddenError);
      expect(await store.get('weather')).toEqual(record);

      await store.setLifecycle('weather', { status: 'deprecated', now: NOW, actor: ADMIN });
      expect((await store.get('weather'))?.lifecycle.status).toBe('deprecated');
    });

    it('refuses a stale expected revision and an unknown agent, changing nothing', async () => {
      const { record } = await store.save(writeOf('weather', cardNamed('Weather'), T1));
      await expect(
        store.setLifecycle('weather', { status: 'deprecated', now: NOW, actor: TEST_OWNER, expectedRevision: record.revision + 100 }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect(await store.get('weather')).toEqual(record);
      await expect(store.setLifecycle('nobody', { status: 'deprecated', now: NOW, actor: TEST_OWNER })).rejects.toBeInstanceOf(AgentNotFoundError);

      const changed = await store.setLifecycle('weather', { status: 'deprecated', now: NOW, actor: TEST_OWNER, expectedRevision: record.revision });
      expect(changed.revision).toBeGreaterThan(record.revision);
    });

    it('keeps the lifecycle when the card is written again', async () => {
      await store.save(writeOf('weather', cardNamed('Weather'), T1));
      await store.setLifecycle('weather', { status: 'deprecated', message: 'old', now: NOW, actor: TEST_OWNER });
      const { record } = await store.save(writeOf('weather', cardNamed('Weather'), T2));

      expect(record.lifecycle).toEqual({ status: 'deprecated', message: 'old', changedAt: NOW.toISOString() });
      expect((await store.get('weather'))?.lifecycle.status).toBe('deprecated');
      expect(await idsMatching(store, [DEPRECATED_TERM])).toEqual(['weather']);
    });
  });

  describe('search order', () => {
    it('ranks deprecated agents after active ones, each in agent number order, across pages', async () => {
      for (const name of ['alpha', 'bravo', 'charlie', 'delta', 'echo']) await store.save(writeOf(name, cardNamed(name), T1));
      await store.setLifecycle('alpha', { status: 'deprecated', now: NOW, actor: TEST_OWNER });
      await store.setLifecycle('charlie', { status: 'deprecated', now: NOW, actor: TEST_OWNER });

      const hits = await searchAll(store, { terms: ['skill:forecast'], preferred: [], includeInactive: false }, 2);
      expect(hits.map((hit) => hit.id)).toEqual(['bravo', 'delta', 'echo', 'alpha', 'charlie']);
      const page = await store.searchTerms({ terms: ['skill:forecast'], preferred: [], includeInactive: false, wanted: 10 });
      expect(page.total).toBe(5);
    });

    it('keeps the preferred tiers first among active and among deprecated agents', async () => {
      // A name word longer than word prefixes go is indexed whole (ntok) in every data layout.
      const names = { alpha: 'alpha extraordinarily', bravo: 'bravo', charlie: 'charlie extraordinarily', delta: 'delta' };
      for (const [id, name] of Object.entries(names)) await store.save(writeOf(id, cardNamed(name), T1));
      await store.setLifecycle('alpha', { status: 'deprecated', now: NOW, actor: TEST_OWNER });
      await store.setLifecycle('bravo', { status: 'deprecated', now: NOW, actor: TEST_OWNER });

      // Agents whose name holds "extraordinarily" are preferred: tier 0 and, deprecated, tier 2.
      const search = { terms: ['skill:forecast'], preferred: ['ntok:extraordinarily'], includeInactive: false };
      expect((await searchAll(store, search, 1)).map((hit) => [hit.id, hit.position.tier])).toEqual([
        ['charlie', 0],
        ['delta', 1],
        ['alpha', 2],
        ['bravo', 3],
      ]);
    });

    it('leaves no deprecated membership behind when a deprecated agent is deleted', async () => {
      await store.save(writeOf('weather', cardNamed('Weather'), T1));
      await store.setLifecycle('weather', { status: 'deprecated', now: NOW, actor: TEST_OWNER });
      await store.delete('weather');
      expect(await idsMatching(store, [DEPRECATED_TERM])).toEqual([]);
    });
  });

  describe('tombstones and changes since a time', () => {
    it('lists agents by the time of their last change, and the tombstones of deleted ones when asked', async () => {
      const start = Date.now();
      await store.save(writeOf('alpha', cardNamed('alpha'), T1));
      await store.save(writeOf('bravo', cardNamed('bravo'), T2));
      await store.save(writeOf('charlie', cardNamed('charlie'), new Date(start).toISOString()));
      const revision = await store.delete('bravo');

      const since = Date.parse(T2);
      expect((await changedAll(store, since, 10, false)).map(nameOf)).toEqual(['charlie']);
      const all = await changedAll(store, since, 10, true);
      expect(all.map(nameOf)).toEqual(['charlie', 'deleted:bravo']);
      const tombstone = all[1]?.kind === 'deleted' ? all[1].tombstone : undefined;
      expect(tombstone).toMatchObject({ id: 'bravo', owner: TEST_OWNER.id });
      expect(tombstone?.revision).toBeGreaterThan(revision);
      expect(Date.parse(tombstone?.deletedAt ?? '')).toBeGreaterThanOrEqual(start);
      expect((await store.changedSince(since, undefined, 10, true)).total).toBe(2);
      expect((await store.changedSince(0, undefined, 10, false)).total).toBe(2);
      // A lifecycle change is a change: it moves the agent to its time.
      await store.setLifecycle('alpha', { status: 'deprecated', now: new Date(start + 60_000), actor: TEST_OWNER });
      expect((await changedAll(store, start + 60_000, 10, false)).map(nameOf)).toEqual(['alpha']);
    });

    it('pages through agents changed in the same millisecond without loss or repeat', async () => {
      const names = Array.from({ length: 7 }, (_, i) => `agent-${i}`);
      for (const name of names) await store.save(writeOf(name, cardNamed(name), T1));
      await store.delete('agent-3');
      await store.delete('agent-5');

      for (const limit of [1, 2, 3]) {
        const agents = (await changedAll(store, Date.parse(T1), limit, false)).map(nameOf);
        expect(agents.sort()).toEqual(['agent-0', 'agent-1', 'agent-2', 'agent-4', 'agent-6']);
        const all = (await changedAll(store, Date.parse(T1), limit, true)).map(nameOf);
        expect(all.slice(0, 5).sort()).toEqual(['agent-0', 'agent-1', 'agent-2', 'agent-4', 'agent-6']);
        expect(all.slice(5).sort()).toEqual(['deleted:agent-3', 'deleted:agent-5']);
      }
    });

    it('goes on from its cursor when the agent it names changed since', async () => {
      for (const name of ['a', 'b', 'c', 'd']) await store.save(writeOf(name, cardNamed(name), T1));
      const first = await store.changedSince(0, undefined, 2, false);
      const cursorAgent = first.entries.at(-1);
      if (cursorAgent?.kind !== 'agent') throw new Error('an agent was expected');
      await store.save(writeOf(cursorAgent.id, cardNamed(cursorAgent.id), T2));

      const rest = await changedAll(store, 0, 2, false);
      const second = await store.changedSince(0, first.entries.at(-1)?.position, 10, false);
      const seen = [...first.entries, ...second.entries].map(nameOf);
      // Every agent is seen; the one that changed again is seen again at its new time.
      expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c', 'd']));
      expect(seen.at(-1)).toBe(cursorAgent.id);
      expect(rest.map(nameOf).at(-1)).toBe(cursorAgent.id);
    });

    it('removes the tombstone when the id is registered again', async () => {
      await store.save(writeOf('weather', cardNamed('Weather'), T1));
      await store.delete('weather');
      expect((await changedAll(store, 0, 10, true)).map(nameOf)).toEqual(['deleted:weather']);

      const { created } = await store.save(writeOf('weather', cardNamed('Weather'), T2));
      expect(created).toBe(true);
      expect((await changedAll(store, 0, 10, true)).map(nameOf)).toEqual(['weather']);
    });

    it('leaves a tombstone of a purged agent', async () => {
      const now = new Date();
      await store.save(writeOf('weather', cardNamed('Weather'), now.toISOString(), { ttlSeconds: 1 }));
      await store.expireDue(new Date(now.getTime() + 2000), 10, 1000);
      expect(await store.purgeDue(new Date(now.getTime() + 4000), 10)).toEqual(['weather']);
      expect((await changedAll(store, 0, 10, true)).map(nameOf)).toEqual(['deleted:weather']);
    });

    it('sweeps tombstones older than the retention, a batch at a time', async () => {
      for (const name of ['a', 'b', 'c']) {
        await store.save(writeOf(name, cardNamed(name), T1));
        await store.delete(name);
      }
      const later = new Date(Date.now() + 1000);
      expect(await store.sweepTombstones(new Date(0), 10)).toBe(0);
      expect(await store.sweepTombstones(later, 2)).toBe(2);
      expect(await store.sweepTombstones(later, 2)).toBe(1);
      expect(await changedAll(store, 0, 10, true)).toEqual([]);
    });
  });
});
