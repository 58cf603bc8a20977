import { storedCards } from '../../src/agents/stored-cards.js';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validateCard } from '../../src/card/card-validation.js';
import { AgentIdTakenError, AgentNotFoundError, ConflictError, DomainOwnedError, ForbiddenError, IdempotencyKeyReusedError, PreconditionFailedError } from '../../src/errors.js';
import type { DomainStore } from '../../src/store/domain-claims.js';
import { RedisDomainStore } from '../../src/store/redis-domain-store.js';
import { recordTermsOf } from '../../src/agents/record-terms.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { comparePositions, type ChangeRead } from '../../src/store/change-log.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { SearchPosition } from '../../src/store/agent-store.js';
import { cardV03, cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';
import { idsMatching, storeBackends as backends, TEST_OWNER, writeOf } from '../helpers/store-backends.js';

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
  let domains: DomainStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, domains, close } = await open());
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
        domainVerified: false,
        lifecycle: { status: 'active' },
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
      const stored = await store.get('weather');
      expect(stored?.card).toBe(JSON.stringify(changed));
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

  describe('ids compared without case', () => {
    it('refuses a new id that differs from a stored one only in case, naming it, and stores nothing', async () => {
      await store.save(writeOf('acme-agent'));
      const refused = store.save(writeOf('Acme-Agent', cardV1({ name: 'Acme Agent' })));
      await expect(refused).rejects.toThrow(AgentIdTakenError);
      await expect(refused).rejects.toThrow(/'acme-agent'/);
      expect(await store.get('Acme-Agent')).toBeNull();
      expect(await store.count()).toBe(1);
    });

    it('refuses the lower-case id beside one with capitals, and either may be written again after the other is gone', async () => {
      await store.save(writeOf('Acme-Agent'));
      await expect(store.save(writeOf('acme-agent'))).rejects.toThrow(/'Acme-Agent'/);
      await expect(store.save(writeOf('ACME-agent'))).rejects.toThrow(/'Acme-Agent'/);
      expect((await store.save(writeOf('Acme-Agent', cardV1({ version: '2.0.0' })))).created).toBe(false);
      await store.delete('Acme-Agent');
      expect((await store.save(writeOf('acme-AGENT'))).created).toBe(true);
      await store.delete('acme-AGENT');
      expect((await store.save(writeOf('acme-agent'))).created).toBe(true);
    });
  });

  describe('writes that must keep the name (an id derived from it)', () => {
    it('updates an agent whose card keeps its name', async () => {
      await store.save(writeOf('foo-bar', cardV1({ name: 'Foo Bar' })));
      const again = await store.save(writeOf('foo-bar', cardV1({ name: 'Foo Bar', version: '2.0.0' })), { sameNameRequired: true });
      expect(again.created).toBe(false);
    });

    it('refuses a card of another name that derives the same id, and keeps the stored card', async () => {
      const first = await store.save(writeOf('foo-bar', cardV1({ name: 'Foo Bar' })));
      await expect(store.save(writeOf('foo-bar', cardV1({ name: 'foo_bar' })), { sameNameRequired: true })).rejects.toThrow(AgentIdTakenError);
      expect(await store.get('foo-bar')).toEqual(first.record);
      await store.save(writeOf('foo-bar', cardV1({ name: 'foo_bar' })), { expectedRevision: first.record.revision });
      expect((await store.get('foo-bar'))?.summary.name).toBe('foo_bar');
    });
  });

  describe('the change log', () => {
    const kindsOf = (read: ChangeRead) => read.events.map((e) => `${e.kind} ${e.agentId} ${e.revision}`);

    it('tells every change in order, in the same step as the change, with the summary of each card written', async () => {
      const registered = await store.save(writeOf('weather', cardV1({ name: 'Weather Agent' }), T1, { ttlSeconds: 1 }));
      const updated = await store.save(writeOf('weather', cardV1({ name: 'Weather Agent', version: '2.0.0' }), T2));
      const refreshed = await store.save(writeOf('weather', cardV1({ name: 'Weather Agent', version: '3.0.0' }), T2, { changeKind: 'refreshed' }));
      const now = new Date();
      await store.expireDue(new Date(now.getTime() + 2000), 10, 60_000);
      const expired = (await store.get('weather'))?.revision;
      const beat = await store.heartbeat('weather', now);
      const deleted = await store.delete('weather');
      await expect(store.delete('weather')).rejects.toThrow(AgentNotFoundError);

      const read = await store.readChanges(undefined, 100);
      expect(kindsOf(read)).toEqual([
        `registered weather ${registered.record.revision}`,
        `updated weather ${updated.record.revision}`,
        `refreshed weather ${refreshed.record.revision}`,
        `expired weather ${expired}`,
        `reactivated weather ${beat.revision}`,
        `deleted weather ${deleted + 1}`,
      ]);
      expect(read.events[1]?.summary).toEqual(updated.record.summary);
      expect(read.events[3]?.summary).toBeUndefined();
      const positions = read.events.map((e) => e.position);
      expect([...positions].sort(comparePositions)).toEqual(positions);
      expect(new Set(positions).size).toBe(positions.length);
      expect(read.last).toBe(positions.at(-1));
      expect(read.trimmedThrough).toBe('0-0');
      expect(read.epoch).toMatch(/\S/);
      // Both stores stamp an event with the time of the write it records, not the moment it was logged.
      expect(read.events.slice(0, 3).map((e) => e.at)).toEqual([Date.parse(T1), Date.parse(T2), Date.parse(T2)]);
    });

    it('reads strictly after a position, a page at a time, and the epoch stays the same', async () => {
      for (const id of ['a1', 'a2', 'a3', 'a4', 'a5']) await store.save(writeOf(id, cardV1({ name: `Agent ${id}` })));
      const first = await store.readChanges(undefined, 2);
      const second = await store.readChanges(first.events.at(-1)?.position, 2);
      const rest = await store.readChanges(second.events.at(-1)?.position, 10);
      expect([...first.events, ...second.events, ...rest.events].map((e) => e.agentId)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
      expect((await store.readChanges(rest.last, 10)).events).toEqual([]);
      expect(new Set([first.epoch, second.epoch, rest.epoch]).size).toBe(1);
    });

    it('writes no event for a refused write', async () => {
      await store.save(writeOf('weather'));
      await expect(store.save(writeOf('weather'), { mustNotExist: true })).rejects.toThrow(ConflictError);
      await expect(store.delete('missing')).rejects.toThrow(AgentNotFoundError);
      expect(kindsOf(await store.readChanges(undefined, 10))).toHaveLength(1);
    });
  });

  describe('a change log that keeps few events', () => {
    it('drops the oldest, and says through which position, so a reader behind it knows it missed events', async () => {
      const { store: small, close: closeSmall } = await open(10);
      try {
        for (let i = 0; i < 250; i++) await small.save(writeOf(`agent-${i}`, cardV1({ name: `Agent ${i}` })));
        const read = await small.readChanges(undefined, 1000);
        expect(read.events.length).toBeGreaterThanOrEqual(10);
        expect(read.events.length).toBeLessThan(250);
        expect(read.events.at(-1)?.agentId).toBe('agent-249');
        expect(comparePositions(read.trimmedThrough, read.events[0]?.position ?? '')).toBeLessThan(0);
        expect((await small.readChanges(read.trimmedThrough, 1)).events[0]).toEqual(read.events[0]);
      } finally {
        await closeSmall();
      }
    });
  });

  describe('domain claims', () => {
    const ALICE = { id: 'alice', admin: false };
    const MALLORY = { id: 'mallory', admin: false };
    const ADMIN = { id: 'root', admin: true };
    /** A 1.0 card of `name` served at `url`. */
    const cardAt = (name: string, ...urls: string[]) =>
      cardV1({ name, supportedInterfaces: urls.map((url) => ({ url, protocolBinding: 'JSONRPC', protocolVersion: '1.0' })) });
    const writeAs = (actor: typeof ALICE, id: string, ...urls: string[]) => writeOf(id, cardAt(id, ...urls), T1, { actor });
    const prove = async (domain: string, owner: string) => {
      await domains.putChallenge({ domain, principal: owner, token: `token-${owner}` }, 60);
      return domains.claim({ domain, owner, provenAt: T2, method: 'http-challenge' }, `token-${owner}`);
    };
    /** Settles every agent on `domain`, as the domain service does after a proof. */
    const settle = async (domain: string) => store.settleDomainAgents(await idsMatching(store, [`host:${domain}`]), new Date(T2), `domain ${domain} proven`);

    it('records a claim only against the current token of the prover, and uses the token up', async () => {
      await domains.putChallenge({ domain: 'example.com', principal: 'alice', token: 'right' }, 60);
      const claim = { domain: 'example.com', owner: 'alice', provenAt: T2, method: 'http-challenge' as const };
      expect(await domains.claim(claim, 'wrong')).toBeNull();
      expect(await domains.claim({ ...claim, owner: 'mallory' }, 'right')).toBeNull();
      expect(await domains.claim(claim, 'right')).toEqual(claim);
      expect(await domains.get('example.com')).toEqual(claim);
      expect(await domains.challengeToken('example.com', 'alice')).toBeNull();
      expect(await domains.claim(claim, 'right')).toBeNull();
    });

    it('forgets a challenge once its time is up', async () => {
      await domains.putChallenge({ domain: 'example.com', principal: 'alice', token: 'soon-gone' }, 1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await domains.challengeToken('example.com', 'alice')).toBeNull();
      expect(await domains.claim({ domain: 'example.com', owner: 'alice', provenAt: T2, method: 'http-challenge' }, 'soon-gone')).toBeNull();
      expect(await domains.get('example.com')).toBeNull();
    });

    it('hands a domain to a later prover, naming the one it replaced', async () => {
      await prove('example.com', 'mallory');
      expect((await prove('example.com', 'alice'))?.previousOwner).toBe('mallory');
      expect((await domains.get('example.com'))?.owner).toBe('alice');
    });

    it("refuses others a card on the proven domain or below it, naming the domain, and lets its owner and admins write", async () => {
      await prove('example.com', 'alice');
      for (const url of ['https://example.com/a2a', 'https://api.eu.example.com:8443/a2a', 'https://EXAMPLE.com./x']) {
        const refused = await store.save(writeAs(MALLORY, 'squat', url)).catch((error: unknown) => error);
        expect(refused).toBeInstanceOf(DomainOwnedError);
        expect((refused as DomainOwnedError).domain).toBe('example.com');
      }
      expect(await store.get('squat')).toBeNull();
      expect((await store.save(writeAs(ALICE, 'alices', 'https://api.example.com/a2a'))).record.domainVerified).toBe(true);
      expect((await store.get('alices'))?.domainVerified).toBe(true);
      const byAdmin = await store.save(writeAs(ADMIN, 'admins', 'https://example.com/a2a'));
      expect(byAdmin.record.domainVerified).toBe(false);
      // Not a suffix by labels: notexample.com is another domain.
      expect((await store.save(writeAs(MALLORY, 'elsewhere', 'https://notexample.com/a2a'))).record.domainVerified).toBe(false);
    });

    it('refuses even the owner of an id to point it at another principal\'s proven domain', async () => {
      await store.save(writeAs(MALLORY, 'mine', 'https://mallory.test/a2a'));
      await prove('example.com', 'alice');
      await expect(store.save(writeAs(MALLORY, 'mine', 'https://mallory.test/a2a', 'https://example.com/a2a'))).rejects.toThrow(DomainOwnedError);
    });

    it('marks a card verified only when every interface host is on a domain its owner proved', async () => {
      await prove('example.com', 'alice');
      expect((await store.save(writeAs(ALICE, 'half', 'https://example.com/a2a', 'https://other.test/a2a'))).record.domainVerified).toBe(false);
      expect((await store.save(writeAs(ALICE, 'whole', 'https://example.com/a2a', 'https://x.example.com/a2a'))).record.domainVerified).toBe(true);
    });

    it('gives squatted agents to the later prover, keeping a record of the change, and the squatter is refused after', async () => {
      await store.save(writeAs(MALLORY, 'squat', 'https://agents.example.com/a2a'));
      await store.save(writeAs(MALLORY, 'unrelated', 'https://mallory.test/a2a'));
      const before = await store.get('squat');
      expect(before?.domainVerified).toBe(false);
      await prove('example.com', 'alice');

      const settled = await settle('example.com');
      expect(settled).toEqual([{ id: 'squat', revision: expect.any(Number), owner: 'alice', ownerChanged: true }]);
      const after = await store.get('squat');
      expect(after).toMatchObject({ owner: 'alice', domainVerified: true, card: before?.card });
      expect(after?.revision).toBeGreaterThan(before?.revision ?? 0);
      expect(after?.ownerChanges).toEqual([{ from: 'mallory', to: 'alice', at: T2, reason: 'domain example.com proven' }]);
      expect((await store.get('unrelated'))?.owner).toBe('mallory');
      expect(await settle('example.com')).toEqual([]);

      await expect(store.save(writeAs(MALLORY, 'squat', 'https://agents.example.com/a2a'))).rejects.toThrow(DomainOwnedError);
      await expect(store.delete('squat', undefined, MALLORY)).rejects.toThrow(ForbiddenError);
      await store.save(writeAs(ALICE, 'squat', 'https://agents.example.com/v2'));
    });

    it('leaves an agent whose hosts are proven by different principals with its owner, unverified', async () => {
      await store.save(writeAs(MALLORY, 'shared', 'https://a.example.com/a2a', 'https://b.example.org/a2a'));
      await prove('example.com', 'alice');
      await prove('example.org', 'bob');
      expect(await settle('example.com')).toEqual([]);
      expect(await store.get('shared')).toMatchObject({ owner: 'mallory', domainVerified: false });
    });

    it('marks the agents of a removed claim unverified, their owner unchanged', async () => {
      await prove('example.com', 'alice');
      await store.save(writeAs(ALICE, 'alices', 'https://example.com/a2a'));
      expect(await domains.remove('example.com')).toBe(true);
      expect(await domains.remove('example.com')).toBe(false);
      expect(await domains.get('example.com')).toBeNull();
      expect(await settle('example.com')).toEqual([{ id: 'alices', revision: expect.any(Number), owner: 'alice', ownerChanged: false }]);
      expect(await store.get('alices')).toMatchObject({ owner: 'alice', domainVerified: false });
      await store.save(writeAs(MALLORY, 'now-open', 'https://example.com/a2a'));
    });

    it('lets the most specific proven domain decide a host', async () => {
      await prove('example.com', 'alice');
      await prove('team.example.com', 'bob');
      await expect(store.save(writeAs(ALICE, 'x', 'https://api.team.example.com/a2a'))).rejects.toThrow(/team\.example\.com/);
      expect((await store.save(writeAs({ id: 'bob', admin: false }, 'y', 'https://api.team.example.com/a2a'))).record.domainVerified).toBe(true);
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

  describe('writes under an idempotency claim', () => {
    const claim = (key: string, fingerprint = 'request-1', ttlSeconds = 60) => ({ key, fingerprint, ttlSeconds });

    it('keeps the outcome of a save with it, and answers a second save under the claim with it, writing nothing', async () => {
      const first = await store.save(writeOf('weather', cardV1(), T1), { mustNotExist: true, idempotency: claim('k1') });
      const again = await store.save(writeOf('weather', cardV1({ version: '9.0.0' }), T2), { mustNotExist: true, idempotency: claim('k1') });
      expect(again.created).toBe(true);
      expect(again.record).toMatchObject({ id: 'weather', revision: first.record.revision, createdAt: T1, updatedAt: T1, ttlSeconds: 0 });
      expect(again.record.summary).toMatchObject({ format: first.record.summary.format, signatureStatus: 'unsigned' });
      expect((await store.get('weather'))?.revision).toBe(first.record.revision);
      expect(await store.keptOutcome(claim('k1'))).toMatchObject({ kind: 'saved', fingerprint: 'request-1' });
    });

    it('refuses another request under a claimed key, changing nothing', async () => {
      const first = await store.save(writeOf('weather', cardV1(), T1), { idempotency: claim('k2') });
      await expect(store.save(writeOf('weather', cardV1(), T2), { idempotency: claim('k2', 'request-2') })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      await expect(store.delete('weather', undefined, TEST_OWNER, claim('k2'))).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
      expect((await store.get('weather'))?.revision).toBe(first.record.revision);
    });

    it('keeps nothing for a refused write', async () => {
      await store.save(writeOf('weather', cardV1(), T1));
      await expect(store.save(writeOf('weather', cardV1(), T2), { mustNotExist: true, idempotency: claim('k3') })).rejects.toBeInstanceOf(ConflictError);
      expect(await store.keptOutcome(claim('k3'))).toBeNull();
    });

    it('answers a second delete under the claim with the first one\'s revision', async () => {
      const saved = await store.save(writeOf('weather', cardV1(), T1));
      expect(await store.delete('weather', undefined, TEST_OWNER, claim('k4'))).toBe(saved.record.revision);
      expect(await store.delete('weather', undefined, TEST_OWNER, claim('k4'))).toBe(saved.record.revision);
      await expect(store.delete('weather', undefined, TEST_OWNER)).rejects.toBeInstanceOf(AgentNotFoundError);
    });

    it('lets concurrent saves under one claim write once', async () => {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => store.save(writeOf('weather', cardV1(), T1), { mustNotExist: i > 0, idempotency: claim('k5') })),
      );
      expect(new Set(results.map((result) => result.record.revision)).size).toBe(1);
      expect(results.every((result) => result.created)).toBe(true);
    });

    it('forgets an outcome after its time', async () => {
      await store.save(writeOf('weather', cardV1(), T1), { idempotency: claim('k6', 'request-1', 1) });
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await store.keptOutcome(claim('k6'))).toBeNull();
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

    it('tells the search once its walk through the index is done, before it answers', async () => {
      let told = 0;
      const page = await store.searchTerms({ terms: ['skill:x'], preferred: [], includeInactive: true, wanted: 10, onWalked: () => told++ });
      expect(told).toBe(1);
      expect(page.hits.map((hit) => hit.id)).toEqual(['alpha', 'bravo']);
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

  it('keeps only the revision and agent number counters, the change log that tells of the deletions and their tombstones, once every agent is deleted', async () => {
    await store.save(writeOf('weather', cardWithSkill('forecast')));
    await store.save(writeOf('storms', cardWithSkill('forecast')));
    await store.save(writeOf('translator', cardV03()));
    await store.save(writeOf('weather', cardWithSkill('alerts'), T2));
    expect((await keysUnderPrefix('idx:*')).length).toBeGreaterThan(10);

    await store.delete('weather');
    await store.delete('storms');
    await store.delete('translator');

    expect(await keysUnderPrefix()).toEqual([`${prefix}agent-numbers`, `${prefix}changes`, `${prefix}revision`, `${prefix}tombstone-info`, `${prefix}tombstones`]);
  });

  it('announces every agent a domain settlement changes on the invalidation channel, with its new revision', async () => {
    const keys = redisKeys(prefix);
    const domains = new RedisDomainStore(admin, keys);
    const card = cardV1({ supportedInterfaces: [{ url: 'https://a2a.example.net/x', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }] });
    await store.save(writeOf('squatted', card, T1, { actor: { id: 'mallory', admin: false } }));
    await domains.putChallenge({ domain: 'example.net', principal: 'alice', token: 't' }, 60);
    await domains.claim({ domain: 'example.net', owner: 'alice', provenAt: T2, method: 'http-challenge' }, 't');
    const subscriber = connect();
    const messages: string[] = [];
    subscriber.on('message', (_channel: string, message: string) => messages.push(message));
    await subscriber.subscribe(keys.invalidations);
    try {
      const [settled] = await store.settleDomainAgents(['squatted', 'missing'], new Date(T2), 'test');
      expect(settled).toMatchObject({ id: 'squatted', owner: 'alice', ownerChanged: true });
      // The message names the change log event the change wrote.
      await expect.poll(() => messages).toEqual([expect.stringMatching(new RegExp(`^squatted ${settled?.revision} ${Date.parse(T2)} \\d+-\\d+$`))]);
      const [event] = (await store.readChanges(undefined, 100)).events.filter((e) => e.kind === 'owner_changed');
      expect(event).toMatchObject({ agentId: 'squatted', revision: settled?.revision });
      expect(await admin.hget(keys.domainOwners, 'example.net')).toBe('alice');
    } finally {
      subscriber.disconnect();
    }
  });

  it('adds the host terms of a record written before cards had them on its next write', async () => {
    const keys = redisKeys(prefix);
    await store.save(writeOf('older', cardV1(), T1));
    const number = await admin.hget(keys.agent('older'), 'n');
    // As an earlier version left it: no hosts field, in no host term.
    await admin.hdel(keys.agent('older'), 'hosts', 'dv');
    for (const domain of ['weather.example.com', 'example.com', 'com']) await admin.srem(`${keys.smallTermPrefix}host:${domain}`, number as string);
    expect(await idsMatching(store, ['host:example.com'])).toEqual([]);

    await store.save(writeOf('older', cardV1({ version: '2.0.0' }), T2));
    expect(await idsMatching(store, ['host:example.com'])).toEqual(['older']);
    expect(await admin.hget(keys.agent('older'), 'hosts')).toBe('weather.example.com');
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
