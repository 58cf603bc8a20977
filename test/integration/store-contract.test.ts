import { storedCards } from '../../src/agents/stored-cards.js';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/agents/card/card-validation.js';
import { AgentNotFoundError, ConflictError, PreconditionFailedError } from '../../src/errors.js';
import { recordTermsOf } from '../../src/agents/record-terms.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { SearchPosition } from '../../src/store/agent-store.js';
import { cardV03, cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';
import { idsMatching, storeBackends as backends, writeOf } from '../helpers/store-backends.js';

const T1 = '2025-01-01T10:00:00.000Z';
const T2 = '2025-01-02T11:30:00.000Z';

/** A 1.0 card with one skill of the given id (tagged with it too), so its index terms are easy to tell apart. */
function cardWithSkill(skillId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return cardV1({
    skills: [{ id: skillId, name: `Skill ${skillId}`, description: 'Does one thing well', tags: [`tag-${skillId}`] }],
    ...overrides,
  });
}

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s contract', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  describe('save', () => {
    it('creates a record on the first save of an id', async () => {
      const write = writeOf('weather', cardV1(), T1);
      const { record, created } = await store.save(write);

      expect(created).toBe(true);
      expect(record).toEqual({
        id: 'weather',
        card: write.card,
        summary: write.summary,
        revision: expect.any(Number),
        createdAt: T1,
        updatedAt: T1,
        status: 'active',
        ttlSeconds: 0,
        owner: 'test-owner',
      });
      expect(record.revision).toBeGreaterThan(0);
      expect(await store.get('weather')).toEqual(record);
    });

    it('updates on a later save of the same id, keeping createdAt and changing updatedAt', async () => {
      const first = await store.save(writeOf('weather', cardV1(), T1));
      const changed = cardV1({ version: '2.0.0' });
      const second = await store.save(writeOf('weather', changed, T2));

      expect(second.created).toBe(false);
      expect(second.record.createdAt).toBe(T1);
      expect(second.record.updatedAt).toBe(T2);
      expect(second.record.revision).toBeGreaterThan(first.record.revision);
      expect(second.record.card).toBe(JSON.stringify(changed));

      const stored = await store.get('weather');
      expect(stored).toEqual(second.record);
      expect(JSON.parse(stored?.card ?? '{}').version).toBe('2.0.0');
      expect(stored?.summary.name).toBe('Weather Agent');
    });

    it('keeps the card text exactly as given', async () => {
      const text = '{ "name" :"Weather Agent",\n  "note": "caf\\u00e9" }';
      const write = { ...writeOf('weather'), card: text };
      await store.save(write);
      expect((await store.get('weather'))?.card).toBe(text);
    });

    it('hands out strictly increasing revisions across every agent', async () => {
      const revisions: number[] = [];
      for (const id of ['alpha', 'bravo', 'alpha', 'charlie', 'bravo', 'alpha']) {
        revisions.push((await store.save(writeOf(id))).record.revision);
      }
      for (let i = 1; i < revisions.length; i++) {
        expect(revisions[i], `revision of write ${i}`).toBeGreaterThan(revisions[i - 1] as number);
      }
    });

    it('keeps revisions increasing when an agent is deleted and created again', async () => {
      const first = await store.save(writeOf('weather'));
      const other = await store.save(writeOf('translator', cardV03()));
      await store.delete('weather');
      const again = await store.save(writeOf('weather', cardV1(), T2));

      expect(again.created).toBe(true);
      expect(again.record.createdAt).toBe(T2);
      expect(again.record.revision).toBeGreaterThan(other.record.revision);
      expect(other.record.revision).toBeGreaterThan(first.record.revision);
    });

    it('writes when expectedRevision is the stored revision', async () => {
      const first = await store.save(writeOf('weather'));
      const second = await store.save(writeOf('weather', cardWithSkill('alerts'), T2), {
        expectedRevision: first.record.revision,
      });
      expect(second.created).toBe(false);
      expect(await store.get('weather')).toEqual(second.record);
    });

    it('refuses a save whose expectedRevision is not the stored revision, changing nothing', async () => {
      const { record } = await store.save(writeOf('weather', cardWithSkill('forecast')));

      await expect(
        store.save(writeOf('weather', cardWithSkill('alerts'), T2), { expectedRevision: record.revision + 1 }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);

      expect(await store.get('weather')).toEqual(record);
      expect(await idsMatching(store, ['skill:forecast'])).toEqual(['weather']);
      expect(await idsMatching(store, ['skill:alerts'])).toEqual([]);
    });

    it('refuses a save with expectedRevision for an agent that does not exist, creating nothing', async () => {
      await expect(store.save(writeOf('weather'), { expectedRevision: 1 })).rejects.toBeInstanceOf(PreconditionFailedError);

      expect(await store.get('weather')).toBeNull();
      expect(await store.count()).toBe(0);
      expect(await idsMatching(store, ['skill:forecast'])).toEqual([]);
    });

    it('refuses expectedRevision 0 for an agent that does not exist: no record has revision 0', async () => {
      await expect(store.save(writeOf('weather'), { expectedRevision: 0 })).rejects.toBeInstanceOf(PreconditionFailedError);

      expect(await store.get('weather')).toBeNull();
      expect(await store.count()).toBe(0);
    });

    it('creates a new agent when mustNotExist is set', async () => {
      const { created } = await store.save(writeOf('weather'), { mustNotExist: true });
      expect(created).toBe(true);
      expect(await store.get('weather')).not.toBeNull();
    });

    it('refuses mustNotExist for an existing agent, changing nothing', async () => {
      const { record } = await store.save(writeOf('weather', cardWithSkill('forecast')));

      await expect(store.save(writeOf('weather', cardWithSkill('alerts'), T2), { mustNotExist: true })).rejects.toBeInstanceOf(
        ConflictError,
      );

      expect(await store.get('weather')).toEqual(record);
      expect(await idsMatching(store, ['skill:forecast'])).toEqual(['weather']);
      expect(await idsMatching(store, ['skill:alerts'])).toEqual([]);
      expect(await store.count()).toBe(1);
    });

    it('moves index memberships on an update: the old skill no longer matches, the new one does', async () => {
      await store.save(writeOf('weather', cardWithSkill('old-skill')));
      await store.save(writeOf('weather', cardWithSkill('new-skill'), T2));

      expect(await idsMatching(store, ['skill:old-skill'])).toEqual([]);
      expect(await idsMatching(store, ['tag:tag-old-skill'])).toEqual([]);
      expect(await idsMatching(store, ['skill:new-skill'])).toEqual(['weather']);
      expect(await idsMatching(store, ['tag:tag-new-skill'])).toEqual(['weather']);
      expect(await idsMatching(store, ['format:a2a-1.0'])).toEqual(['weather']);
    });

    it('marks a saved agent active', async () => {
      await store.save(writeOf('weather'));
      expect((await store.get('weather'))?.status).toBe('active');
      expect(await idsMatching(store, ['format:a2a-1.0'], false)).toEqual(['weather']);
    });
  });

  describe('get and getMany', () => {
    it('get returns null for an unknown id', async () => {
      expect(await store.get('nobody')).toBeNull();
    });

    it('getMany returns the records that exist, in the order asked, skipping missing ids', async () => {
      for (const id of ['alpha', 'bravo', 'charlie']) await store.save(writeOf(id));

      const records = await store.getMany(['charlie', 'missing', 'alpha', 'also-missing', 'bravo']);
      expect(records.map((r) => r.id)).toEqual(['charlie', 'alpha', 'bravo']);
      expect(records[0]).toEqual(await store.get('charlie'));
    });

    it('getMany of no ids is empty', async () => {
      await store.save(writeOf('alpha'));
      expect(await store.getMany([])).toEqual([]);
    });
  });

  describe('delete', () => {
    it('removes the record and every index membership it had', async () => {
      const write = writeOf('weather');
      await store.save(write);
      await store.save(writeOf('translator', cardV03()));

      await store.delete('weather');

      expect(await store.get('weather')).toBeNull();
      expect((await store.listPage(undefined, 10)).ids).toEqual(['translator']);
      expect(await store.count()).toBe(1);
      expect(write.terms.length).toBeGreaterThan(10);
      for (const t of write.terms) {
        expect(await idsMatching(store, [t]), t).not.toContain('weather');
      }
    });

    it('leaves other agents in the index sets they share', async () => {
      await store.save(writeOf('weather', cardWithSkill('forecast')));
      await store.save(writeOf('storms', cardWithSkill('forecast')));

      await store.delete('weather');

      expect(await idsMatching(store, ['skill:forecast'])).toEqual(['storms']);
    });

    it('returns the revision the record had', async () => {
      await store.save(writeOf('weather'));
      const { record } = await store.save(writeOf('weather', cardV1(), T2));
      expect(await store.delete('weather')).toBe(record.revision);
    });

    it('deletes when expectedRevision is the stored revision', async () => {
      const { record } = await store.save(writeOf('weather'));
      await store.delete('weather', record.revision);
      expect(await store.get('weather')).toBeNull();
    });

    it('throws AgentNotFoundError for an id that does not exist', async () => {
      await expect(store.delete('nobody')).rejects.toBeInstanceOf(AgentNotFoundError);
    });

    it('throws AgentNotFoundError for an id already deleted', async () => {
      await store.save(writeOf('weather'));
      await store.delete('weather');
      await expect(store.delete('weather')).rejects.toBeInstanceOf(AgentNotFoundError);
    });

    it('refuses a stale expectedRevision and keeps the record and its index memberships', async () => {
      const first = await store.save(writeOf('weather', cardWithSkill('forecast')));
      const second = await store.save(writeOf('weather', cardWithSkill('forecast'), T2));

      await expect(store.delete('weather', first.record.revision)).rejects.toBeInstanceOf(PreconditionFailedError);

      expect(await store.get('weather')).toEqual(second.record);
      expect(await idsMatching(store, ['skill:forecast'])).toEqual(['weather']);
      expect(await store.count()).toBe(1);
    });
  });

  describe('searchTerms', () => {
    beforeEach(async () => {
      await store.save(writeOf('alpha', cardWithSkill('x', { capabilities: { streaming: true } })));
      await store.save(writeOf('bravo', cardWithSkill('x', { capabilities: { streaming: false } })));
      await store.save(writeOf('charlie', cardWithSkill('y', { capabilities: { streaming: true } })));
    });

    it('returns every member of one term, oldest registration first', async () => {
      expect(await idsMatching(store, ['skill:x'])).toEqual(['alpha', 'bravo']);
    });

    it('returns only the agents that belong to every one of several terms', async () => {
      expect(await idsMatching(store, ['skill:x', 'streaming:true'])).toEqual(['alpha']);
      expect(await idsMatching(store, ['streaming:true', 'skill:y', 'format:a2a-1.0'])).toEqual(['charlie']);
    });

    it('returns nothing when no agent belongs to every term, or one of the terms is unknown', async () => {
      expect(await idsMatching(store, ['skill:x', 'skill:y'])).toEqual([]);
      expect(await idsMatching(store, ['skill:x', 'skill:unknown'])).toEqual([]);
      expect(await idsMatching(store, ['skill:unknown'])).toEqual([]);
    });

    it('keeps an agent in its place when it is updated, and puts a re-registered one last', async () => {
      await store.save(writeOf('alpha', cardWithSkill('x', { description: 'changed' }), T2));
      expect(await idsMatching(store, ['format:a2a-1.0'])).toEqual(['alpha', 'bravo', 'charlie']);
      await store.delete('alpha');
      await store.save(writeOf('alpha', cardWithSkill('x')));
      expect(await idsMatching(store, ['format:a2a-1.0'])).toEqual(['bravo', 'charlie', 'alpha']);
    });

    it('puts the agents in every preferred term first, each tier oldest first', async () => {
      const page = await store.searchTerms({ terms: ['format:a2a-1.0'], preferred: ['streaming:true'], includeInactive: true, wanted: 10 });
      expect(page.hits.map((hit) => [hit.id, hit.position.tier])).toEqual([
        ['alpha', 0],
        ['charlie', 0],
        ['bravo', 1],
      ]);
      expect(page).toMatchObject({ total: 3, totalExact: true });
    });

    it('finds at most `wanted` hits, and goes on strictly after a place', async () => {
      const first = await store.searchTerms({ terms: ['format:a2a-1.0'], preferred: ['streaming:true'], includeInactive: true, wanted: 2 });
      expect(first.hits.map((hit) => hit.id)).toEqual(['alpha', 'charlie']);
      const rest = await store.searchTerms({ terms: ['format:a2a-1.0'], preferred: ['streaming:true'], includeInactive: true, wanted: 2, after: first.hits[1]?.position as SearchPosition });
      expect(rest.hits.map((hit) => hit.id)).toEqual(['bravo']);
      expect(rest.stoppedAt).toBeUndefined();
    });

    it('counts the matches of every page exactly while counting is cheap', async () => {
      const page = await store.searchTerms({ terms: ['streaming:true'], preferred: [], includeInactive: true, wanted: 1 });
      expect(page.hits.map((hit) => hit.id)).toEqual(['alpha']);
      expect(page).toMatchObject({ total: 2, totalExact: true });
      const both = await store.searchTerms({ terms: ['streaming:true', 'format:a2a-1.0'], preferred: [], includeInactive: true, wanted: 1 });
      expect(both).toMatchObject({ total: 2, totalExact: true });
    });
  });

  describe('listPage and count', () => {
    beforeEach(async () => {
      for (const id of ['delta', 'alpha', 'echo', 'charlie', 'bravo']) await store.save(writeOf(id));
    });

    it('lists ids in ascending order', async () => {
      expect((await store.listPage(undefined, 10)).ids).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    });

    it('tells with every page how many agents the listing holds in all', async () => {
      expect(await store.listPage(undefined, 2)).toEqual({ ids: ['alpha', 'bravo'], total: 5 });
      expect(await store.listPage('delta', 2)).toEqual({ ids: ['echo'], total: 5 });
      expect(await store.listPage('echo', 2)).toEqual({ ids: [], total: 5 });
    });

    it('lists at most `limit` ids', async () => {
      expect((await store.listPage(undefined, 2)).ids).toEqual(['alpha', 'bravo']);
    });

    it('pages strictly after the cursor id', async () => {
      expect((await store.listPage('bravo', 2)).ids).toEqual(['charlie', 'delta']);
      expect((await store.listPage('delta', 2)).ids).toEqual(['echo']);
      expect((await store.listPage('echo', 2)).ids).toEqual([]);
    });

    it('pages after a cursor id that is not itself stored', async () => {
      expect((await store.listPage('b', 2)).ids).toEqual(['bravo', 'charlie']);
      expect((await store.listPage('bravo-2', 10)).ids).toEqual(['charlie', 'delta', 'echo']);
    });

    it('lists an updated id once', async () => {
      await store.save(writeOf('charlie', cardV1(), T2));
      expect((await store.listPage(undefined, 10)).ids).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);
    });

    it('counts the stored agents, not the writes', async () => {
      expect(await store.count()).toBe(5);
      await store.save(writeOf('alpha', cardV1(), T2));
      expect(await store.count()).toBe(5);
      await store.delete('echo');
      expect(await store.count()).toBe(4);
      expect((await store.listPage(undefined, 10)).ids).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
    });
  });
});

describe('RedisAgentStore keys', () => {
  const admin: Redis = connect();
  let prefix: string;
  let store: RedisAgentStore;

  /** Every key under the test's prefix, by SCAN. */
  async function keysUnderPrefix(pattern = '*'): Promise<string[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await admin.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0');
    return [...new Set(keys)].sort();
  }

  afterAll(() => {
    admin.disconnect();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
    store = new RedisAgentStore(connect(), redisKeys(prefix), storedCards);
  });
  afterEach(async () => {
    await deleteKeys(admin, prefix);
    await store.close();
  });

  it('keeps only the revision and agent number counters once every agent is deleted', async () => {
    await store.save(writeOf('weather', cardWithSkill('forecast')));
    await store.save(writeOf('storms', cardWithSkill('forecast')));
    await store.save(writeOf('translator', cardV03()));
    await store.save(writeOf('weather', cardWithSkill('alerts'), T2));
    expect((await keysUnderPrefix('idx:*')).length).toBeGreaterThan(10);

    await store.delete('weather');
    await store.delete('storms');
    await store.delete('translator');

    expect(await keysUnderPrefix()).toEqual([`${prefix}agent-numbers`, `${prefix}revision`]);
  });

  it('keeps index sets as intsets of agent numbers, and maps the numbers back in small hashes', async () => {
    await store.save(writeOf('weather', cardWithSkill('forecast')));
    await store.save(writeOf('storms', cardWithSkill('forecast')));
    const indexKeys = await keysUnderPrefix('idx:*');
    for (const key of indexKeys) expect(await admin.object('ENCODING', key), key).toBe('intset');
    expect((await admin.smembers(`${prefix}idx:skill:forecast`)).sort()).toEqual(['1', '2']);
    expect(await admin.hgetall(`${prefix}ids:0`)).toEqual({ 1: 'weather', 2: 'storms' });
    expect(await admin.object('ENCODING', `${prefix}ids:0`)).toBe('listpack');
    expect(await admin.hkeys(`${prefix}agent:weather`)).not.toContain('terms');
  });

  it('derives the old terms again when the record changed after they were read', async () => {
    await store.save(writeOf('weather', cardWithSkill('forecast')));
    // Both updates start from the same stored record; whichever runs second must move the
    // memberships the first one made, not the ones it read before.
    await Promise.all([
      store.save(writeOf('weather', cardWithSkill('alerts'), T2)),
      store.save(writeOf('weather', cardWithSkill('storms'), T2)),
    ]);
    const final = await store.get('weather');
    const finalSkill = JSON.parse(final?.card ?? '{}').skills[0].id as string;
    for (const skill of ['forecast', 'alerts', 'storms']) {
      expect(await admin.scard(`${prefix}idx:skill:${skill}`), skill).toBe(skill === finalSkill ? 1 : 0);
    }
  });

  it('leaves index sets consistent with the final record after 50 concurrent saves to one id', async () => {
    const writes = Array.from({ length: 50 }, (_, i) =>
      writeOf(
        'contested',
        cardWithSkill(`skill-${i}`, {
          capabilities: { streaming: i % 2 === 0, pushNotifications: i % 3 === 0, extensions: [{ uri: `urn:ext:${i % 4}` }] },
          provider: { organization: `Org ${i % 5}` },
          defaultInputModes: [`text/mode-${i % 7}`],
        }),
        `2025-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
      ),
    );

    const results = await Promise.all(writes.map((write) => store.save(write)));

    expect(results.filter((r) => r.created)).toHaveLength(1);
    const revisions = results.map((r) => r.record.revision);
    expect(new Set(revisions).size).toBe(50);

    const final = await store.get('contested');
    expect(final).not.toBeNull();
    const finalRecord = final as NonNullable<typeof final>;
    expect(finalRecord.revision).toBe(Math.max(...revisions));

    expect(finalRecord.status).toBe('active');
    const finalTerms = recordTermsOf(validateCard(JSON.parse(finalRecord.card)), 'unsigned').sort();
    const indexPrefix = `${prefix}idx:`;
    const agentNumber = (await admin.hget(`${prefix}agent:contested`, 'n')) as string;
    const setsWithId: string[] = [];
    for (const key of await keysUnderPrefix('idx:*')) {
      if ((await admin.sismember(key, agentNumber)) === 1) setsWithId.push(key.slice(indexPrefix.length));
    }
    expect(setsWithId.sort()).toEqual(finalTerms);
    expect(await keysUnderPrefix('idx:*')).toHaveLength(finalTerms.length);
  });
});
