import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';
import type { ProbeOutcome, ProbeStatus } from '../../src/store/probe-outcome.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { cardV1 } from '../helpers/cards.js';
import { idsMatching, storeBackends as backends, writeOf } from '../helpers/store-backends.js';

const T1 = '2025-01-01T10:00:00.000Z';
const AFTER_T1 = new Date('2025-01-01T10:00:01.000Z');
const LEASE_MS = 60_000;

const outcomeOf = (status: ProbeStatus, checkedAt = '2025-01-01T10:00:02.000Z', failures = 0): ProbeOutcome => ({
  result: { status, checkedAt, latencyMs: 12, transport: status === 'ok' ? 'ok' : 'skipped', cardDrift: null, error: status === 'ok' ? null : { code: 'connection_failed', message: 'refused' } },
  failures,
});

const later = (ms: number) => new Date(AFTER_T1.getTime() + ms);

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s probe contract', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  it('makes a new agent due for its first probe at once, and holds a claimed one for its lease', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    expect((await store.claimProbes(AFTER_T1, 10, LEASE_MS)).ids).toEqual(['weather']);
    expect((await store.claimProbes(later(LEASE_MS - 1), 10, LEASE_MS)).ids).toEqual([]);
    expect((await store.claimProbes(later(LEASE_MS), 10, LEASE_MS)).ids).toEqual(['weather']);
  });

  it('schedules an agent stored before probes existed at its next card write, and no agent twice', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.save(writeOf('weather', cardV1({ name: 'Weather', description: 'Changed' }), '2025-01-01T10:00:00.500Z'));
    expect((await store.claimProbes(AFTER_T1, 10, LEASE_MS)).ids).toEqual(['weather']);
    await store.save(writeOf('weather', cardV1({ name: 'Weather', description: 'Again' }), '2025-01-01T10:00:00.700Z'));
    expect((await store.claimProbes(later(1000), 10, LEASE_MS)).ids).toEqual([]);
  });

  it('claims at most the limit, and tells how late the oldest due probe is', async () => {
    for (const id of ['a1', 'a2', 'a3']) await store.save(writeOf(id, cardV1({ name: id }), T1));
    const claim = await store.claimProbes(AFTER_T1, 2, LEASE_MS);
    expect(claim.ids).toHaveLength(2);
    expect(claim.lagMs).toBe(1000);
    expect((await store.claimProbes(AFTER_T1, 10, LEASE_MS)).ids).toHaveLength(1);
  });

  it('never hands one agent to two claims made at once', async () => {
    for (let i = 0; i < 30; i++) await store.save(writeOf(`agent-${i}`, cardV1({ name: `Agent ${i}` }), T1));
    const claims = await Promise.all(Array.from({ length: 6 }, () => store.claimProbes(AFTER_T1, 7, LEASE_MS)));
    const all = claims.flatMap((claim) => claim.ids);
    expect(new Set(all).size).toBe(all.length);
    expect(all).toHaveLength(30);
  });

  it('keeps the first result as a status change: a new revision, the probe term and a probe_changed event', async () => {
    const { record } = await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    const recorded = await store.recordProbe('weather', outcomeOf('ok'), later(3_600_000));
    expect(recorded).toEqual({ kind: 'changed', revision: expect.any(Number) });
    const stored = await store.get('weather');
    expect(stored?.revision).toBeGreaterThan(record.revision);
    expect(stored?.probe).toEqual(outcomeOf('ok'));
    expect(await idsMatching(store, ['probe:ok'])).toEqual(['weather']);
    const events = (await store.readChanges(undefined, 100)).events;
    expect(events.at(-1)).toMatchObject({ agentId: 'weather', kind: 'probe_changed', probe: { status: 'ok' } });
    expect(events.at(-1)?.probe).not.toHaveProperty('previous');
  });

  it('keeps a result of the same status without a revision or an event', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    const first = await store.recordProbe('weather', outcomeOf('ok'), later(1000));
    const eventsBefore = (await store.readChanges(undefined, 100)).events.length;
    const second = await store.recordProbe('weather', outcomeOf('ok', '2025-01-01T11:00:00.000Z'), later(2000));
    expect(second).toEqual({ kind: 'same', revision: (first as { revision: number }).revision });
    expect((await store.readChanges(undefined, 100)).events).toHaveLength(eventsBefore);
    expect((await store.get('weather'))?.probe?.result.checkedAt).toBe('2025-01-01T11:00:00.000Z');
  });

  it('moves the agent between probe terms when the status changes, telling the previous status', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.recordProbe('weather', outcomeOf('ok'), later(1000));
    await store.recordProbe('weather', outcomeOf('unreachable', '2025-01-01T11:00:00.000Z', 1), later(2000));
    expect(await idsMatching(store, ['probe:ok'])).toEqual([]);
    expect(await idsMatching(store, ['probe:unreachable'])).toEqual(['weather']);
    expect((await store.get('weather'))?.probe?.failures).toBe(1);
    const last = (await store.readChanges(undefined, 100)).events.at(-1);
    expect(last?.probe).toEqual({ status: 'unreachable', previous: 'ok' });
  });

  it('schedules the next probe at the time given with the result', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.claimProbes(AFTER_T1, 10, LEASE_MS);
    await store.recordProbe('weather', outcomeOf('ok'), later(5000));
    expect((await store.claimProbes(later(4999), 10, LEASE_MS)).ids).toEqual([]);
    expect((await store.claimProbes(later(5000), 10, LEASE_MS)).ids).toEqual(['weather']);
  });

  it('moves a claimed probe to a later time and keeps its result (a Retry-After)', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.recordProbe('weather', outcomeOf('ok'), later(1000));
    await store.claimProbes(AFTER_T1, 10, LEASE_MS);
    await store.scheduleProbe('weather', later(90_000));
    expect((await store.claimProbes(later(89_999), 10, LEASE_MS)).ids).toEqual([]);
    expect((await store.claimProbes(later(90_000), 10, LEASE_MS)).ids).toEqual(['weather']);
    expect((await store.get('weather'))?.probe?.result.status).toBe('ok');
  });

  it('leaves an agent that is not claimed where the schedule has it: a result never makes it due twice', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.recordProbe('weather', outcomeOf('ok'), later(5000));
    await store.scheduleProbe('weather', later(9000));
    expect((await store.claimProbes(later(10_000), 10, LEASE_MS)).ids).toEqual(['weather']);
    expect((await store.claimProbes(later(20_000), 10, LEASE_MS)).ids).toEqual([]);
  });

  it('claims again an agent whose claim lapsed, once', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.claimProbes(AFTER_T1, 10, LEASE_MS);
    expect((await store.claimProbes(later(LEASE_MS), 10, LEASE_MS)).ids).toEqual(['weather']);
    await store.recordProbe('weather', outcomeOf('ok'), later(LEASE_MS + 3_600_000));
    expect((await store.claimProbes(later(LEASE_MS * 3), 10, LEASE_MS)).ids).toEqual([]);
  });

  it('keeps the probe status and its term when the card changes', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.recordProbe('weather', outcomeOf('ok'), later(1000));
    await store.save(writeOf('weather', cardV1({ name: 'Weather', description: 'A new description' }), '2025-01-01T12:00:00.000Z'));
    expect((await store.get('weather'))?.probe?.result.status).toBe('ok');
    expect(await idsMatching(store, ['probe:ok'])).toEqual(['weather']);
  });

  it('forgets the probe term and schedule of a deleted agent; a late result finds it missing', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1));
    await store.recordProbe('weather', outcomeOf('ok'), later(1000));
    await store.delete('weather');
    expect(await idsMatching(store, ['probe:ok'])).toEqual([]);
    expect((await store.claimProbes(later(10_000), 10, LEASE_MS)).ids).toEqual([]);
    expect(await store.recordProbe('weather', outcomeOf('ok'), later(2000))).toEqual({ kind: 'missing' });
  });

  it('forgets the probe term of a purged agent', async () => {
    await store.save(writeOf('weather', cardV1({ name: 'Weather' }), T1, { ttlSeconds: 1 }));
    await store.recordProbe('weather', outcomeOf('ok'), later(1000));
    await store.expireDue(later(5000), 10, 0);
    await store.purgeDue(later(6000), 10);
    expect(await store.get('weather')).toBeNull();
    expect(await idsMatching(store, ['probe:ok'])).toEqual([]);
  });
});

describe('RedisAgentStore probe schedule of data stored before probes existed', () => {
  const prefix = uniquePrefix();
  const connection = connect();
  const keys = redisKeys(prefix);
  const store = new RedisAgentStore(connection, keys, storedCards);
  afterAll(async () => {
    await deleteKeys(connection, prefix);
    await store.close();
  });

  it('schedules such an agent at its next card write', async () => {
    await store.save(writeOf('older', cardV1({ name: 'Older' }), T1));
    // What an earlier version left: the agent without a due second, and no schedule at all.
    await connection.hdel(keys.agent('older'), 'pd');
    await connection.del(keys.probeDue, `${keys.probeAtPrefix}${Math.floor(Date.parse(T1) / 1000)}`);
    expect((await store.claimProbes(AFTER_T1, 10, LEASE_MS)).ids).toEqual([]);
    await store.save(writeOf('older', cardV1({ name: 'Older', description: 'Changed' }), '2025-01-01T10:00:00.500Z'));
    expect((await store.claimProbes(AFTER_T1, 10, LEASE_MS)).ids).toEqual(['older']);
  });

  it('spreads a burst of new agents over seconds whose sets stay intsets, each agent due once within the spill window', async () => {
    const burst = 1_100;
    for (let i = 0; i < burst; i++) await store.save(writeOf(`burst-${i}`, cardV1({ name: `Burst ${i}` }), T1));
    const dueSeconds = await connection.zrange(keys.probeDue, 0, -1);
    expect(dueSeconds.length).toBeGreaterThan(1);
    for (const second of dueSeconds) {
      const key = `${keys.probeAtPrefix}${second}`;
      expect(await connection.scard(key)).toBeLessThanOrEqual(512);
      expect(await connection.object('ENCODING', key)).toBe('intset');
    }
    const claimed = await store.claimProbes(new Date(Date.parse(T1) + 3_602_000), burst + 10, LEASE_MS);
    expect(claimed.ids.filter((id) => id.startsWith('burst-')).sort()).toEqual(Array.from({ length: burst }, (_, i) => `burst-${i}`).sort());
  });
});
