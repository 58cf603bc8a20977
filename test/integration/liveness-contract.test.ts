import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentNotFoundError } from '../../src/errors.js';
import { ExpirySweep } from '../../src/worker/expiry-sweep.js';
import { createLogger } from '../../src/logger.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { term } from '../../src/search/index-terms.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { cardV1 } from '../helpers/cards.js';
import { idsMatching, storeBackends, writeOf } from '../helpers/store-backends.js';

const T0 = Date.parse('2025-03-01T12:00:00.000Z');
const at = (offsetSeconds: number) => new Date(T0 + offsetSeconds * 1000);
const iso = (offsetSeconds: number) => at(offsetSeconds).toISOString();
const GRACE_MS = 60_000;

describe.each(storeBackends.map((backend) => [backend.name, backend] as const))('%s liveness', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  const register = (id: string, ttlSeconds?: number, offset = 0, defaultTtlSeconds?: number) =>
    store.save(
      writeOf(id, cardV1({ name: id }), iso(offset), {
        ...(ttlSeconds !== undefined ? { ttlSeconds } : {}),
        ...(defaultTtlSeconds !== undefined ? { defaultTtlSeconds } : {}),
      }),
    );

  it('a heartbeat pushes the liveness deadline to now plus the agent TTL', async () => {
    await register('a', 30);
    const result = await store.heartbeat('a', at(10));
    expect(result.expiresAt?.toISOString()).toBe(iso(40));
    expect(result.reactivated).toBe(false);
  });

  it('an agent without a TTL has no deadline and never expires', async () => {
    await register('a', 0);
    expect((await store.heartbeat('a', at(1))).expiresAt).toBeUndefined();
    expect(await store.expireDue(at(1_000_000), 100, GRACE_MS)).toEqual([]);
  });

  it('a heartbeat for an unknown agent is AgentNotFoundError', async () => {
    await expect(store.heartbeat('ghost', at(0))).rejects.toBeInstanceOf(AgentNotFoundError);
  });

  it('nothing expires before its deadline', async () => {
    await register('a', 30);
    expect(await store.expireDue(at(29), 100, GRACE_MS)).toEqual([]);
    expect((await store.get('a'))?.status).toBe('active');
  });

  it('an agent past its deadline turns inactive with a new revision, still readable by id', async () => {
    const { record } = await register('a', 30);
    expect(await store.expireDue(at(31), 100, GRACE_MS)).toEqual(['a']);
    const expired = await store.get('a');
    expect(expired?.status).toBe('inactive');
    expect(expired?.revision).toBeGreaterThan(record.revision);
  });

  it('inactive agents leave listings, counts and the active index unless asked for', async () => {
    await register('a', 30);
    await register('b', 0);
    await store.expireDue(at(31), 100, GRACE_MS);
    expect(await store.listPage(undefined, 10)).toEqual({ ids: ['b'], total: 1 });
    expect(await store.listPage(undefined, 10, true)).toEqual({ ids: ['a', 'b'], total: 2 });
    expect(await store.count()).toBe(1);
    expect(await store.count(true)).toBe(2);
    expect(await idsMatching(store, [term('skill', 'forecast')], false)).toEqual(['b']);
    expect((await idsMatching(store, [term('skill', 'forecast')])).sort()).toEqual(['a', 'b']);
  });

  it('expiring is idempotent: a second sweep over the same moment changes nothing', async () => {
    await register('a', 30);
    await store.expireDue(at(31), 100, GRACE_MS);
    const after = await store.get('a');
    expect(await store.expireDue(at(31), 100, GRACE_MS)).toEqual([]);
    expect(await store.get('a')).toEqual(after);
  });

  it('expiry takes at most the batch size per call, the rest stays due', async () => {
    for (const id of ['a', 'b', 'c', 'd', 'e']) await register(id, 10);
    const first = await store.expireDue(at(11), 2, GRACE_MS);
    const second = await store.expireDue(at(11), 2, GRACE_MS);
    const third = await store.expireDue(at(11), 2, GRACE_MS);
    expect([first.length, second.length, third.length]).toEqual([2, 2, 1]);
    expect([...first, ...second, ...third].sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('a heartbeat on an inactive agent makes it active and listed again', async () => {
    await register('a', 30);
    await store.expireDue(at(31), 100, GRACE_MS);
    const inactive = await store.get('a');
    const result = await store.heartbeat('a', at(40));
    expect(result.reactivated).toBe(true);
    expect(result.revision).toBeGreaterThan(inactive?.revision ?? Infinity);
    expect((await store.get('a'))?.status).toBe('active');
    expect((await store.listPage(undefined, 10)).ids).toEqual(['a']);
    expect(await store.purgeDue(at(10_000), 100)).toEqual([]);
  });

  it('an inactive agent is deleted with its index memberships once the grace period is over', async () => {
    await register('a', 30);
    await store.expireDue(at(31), 100, GRACE_MS);
    expect(await store.purgeDue(at(31 + GRACE_MS / 1000 - 1), 100)).toEqual([]);
    expect(await store.purgeDue(at(31 + GRACE_MS / 1000), 100)).toEqual(['a']);
    expect(await store.get('a')).toBeNull();
    expect(await idsMatching(store, [term('skill', 'forecast')])).toEqual([]);
    expect(await store.count(true)).toBe(0);
  });

  it('re-registering an inactive agent makes it active and cancels its deletion', async () => {
    await register('a', 30);
    await store.expireDue(at(31), 100, GRACE_MS);
    await register('a', undefined, 40);
    expect((await store.get('a'))?.status).toBe('active');
    expect(await store.purgeDue(at(10_000), 100)).toEqual([]);
  });

  it('re-registering without a TTL keeps the agent TTL; a new agent gets the default', async () => {
    await register('a', 30);
    const again = await register('a', undefined, 5, 99);
    expect(again.record.ttlSeconds).toBe(30);
    const fresh = await register('b', undefined, 5, 99);
    expect(fresh.record.ttlSeconds).toBe(99);
  });

  it('re-registering with TTL 0 turns liveness off', async () => {
    await register('a', 30);
    await register('a', 0, 5);
    expect(await store.expireDue(at(1000), 100, GRACE_MS)).toEqual([]);
  });

  it('a sweep expires and then deletes across several batches', async () => {
    const count = 1100;
    for (let i = 0; i < count; i++) await register(`agent-${String(i).padStart(4, '0')}`, 10);
    const sweep = new ExpirySweep(store, GRACE_MS, new Metrics(), createLogger('silent', false));
    expect(await sweep.run(at(11))).toEqual({ expired: count, purged: 0, tombstonesRemoved: 0 });
    expect(await store.count()).toBe(0);
    expect(await sweep.run(at(11 + GRACE_MS / 1000))).toEqual({ expired: 0, purged: count, tombstonesRemoved: 0 });
    expect(await store.count(true)).toBe(0);
  });
});
