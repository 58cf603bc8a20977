import { describe, expect, it } from 'vitest';
import { validateCard } from '../../src/card/card-validation.js';
import { recordSummaryOf } from '../../src/agents/record-summary.js';
import { RecordCache, REMEMBERED_INVALIDATIONS } from '../../src/cache/record-cache.js';
import type { AgentRecord } from '../../src/store/agent-record.js';
import { cardV1 } from '../helpers/cards.js';

const summary = recordSummaryOf(validateCard(cardV1()), { status: 'unsigned' });

function record(id: string, revision: number, cardText = '{}'): AgentRecord {
  return { id, card: cardText, summary, revision, createdAt: '', updatedAt: '', status: 'active', ttlSeconds: 0, owner: 'owner', domainVerified: false, lifecycle: { status: 'active' } };
}

const roomy = { maxEntries: 100, maxBytes: 10_000_000 };

function liveCache(options = roomy, events = {}) {
  const cache = new RecordCache(options, events);
  cache.resume();
  return cache;
}

describe('RecordCache', () => {
  it('returns a record it holds', () => {
    const cache = liveCache();
    cache.set(record('a', 1));
    expect(cache.get('a')?.revision).toBe(1);
  });

  it('misses a record older than the asked minimum revision', () => {
    const cache = liveCache();
    cache.set(record('a', 3));
    expect(cache.get('a', 4)).toBeUndefined();
    expect(cache.get('a', 3)?.revision).toBe(3);
  });

  it('drops an entry on invalidation', () => {
    const cache = liveCache();
    cache.set(record('a', 1));
    cache.invalidate('a', 2);
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps an entry already at the revision an invalidation names', () => {
    const cache = liveCache();
    cache.set(record('a', 7));
    cache.invalidate('a', 7);
    expect(cache.get('a')?.revision).toBe(7);
    cache.invalidate('a', 8);
    expect(cache.get('a')).toBeUndefined();
  });

  it('refuses a record read before an invalidation that arrived meanwhile', () => {
    const cache = liveCache();
    cache.invalidate('a', 5);
    cache.set(record('a', 4));
    expect(cache.get('a')).toBeUndefined();
    cache.set(record('a', 5));
    expect(cache.get('a')?.revision).toBe(5);
  });

  it('keeps the newest invalidation per id even when an older one arrives later', () => {
    const cache = liveCache();
    cache.invalidate('a', 9);
    cache.invalidate('a', 7);
    cache.set(record('a', 8));
    expect(cache.get('a')).toBeUndefined();
  });

  it('forgets the invalidations of the ids invalidated least recently beyond its bound, and no others', () => {
    const cache = liveCache();
    cache.invalidate('old', 5);
    cache.invalidate('renewed', 5);
    for (let i = 0; i < REMEMBERED_INVALIDATIONS - 2; i++) cache.invalidate(`other-${i}`, 1);
    cache.invalidate('renewed', 5);
    cache.invalidate('one-more', 1);
    cache.invalidate('two-more', 1);
    cache.set(record('old', 4));
    cache.set(record('renewed', 4));
    expect(cache.get('old')?.revision).toBe(4);
    expect(cache.get('renewed')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond the entry bound', () => {
    let evictions = 0;
    const cache = liveCache({ maxEntries: 2, maxBytes: 10_000_000 }, { onEvict: () => evictions++ });
    cache.set(record('a', 1));
    cache.set(record('b', 1));
    cache.get('a');
    cache.set(record('c', 1));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.size).toBe(2);
    expect(evictions).toBe(1);
  });

  it('passes over an entry read since eviction last reached it, and evicts it once it was passed over and not read again', () => {
    const cache = liveCache({ maxEntries: 3, maxBytes: 10_000_000 });
    for (const id of ['a', 'b', 'c']) cache.set(record(id, 1));
    cache.get('a');
    cache.set(record('d', 1));
    expect(cache.get('b')).toBeUndefined();
    cache.set(record('e', 1));
    cache.set(record('f', 1));
    expect([cache.get('c'), cache.get('d')]).toEqual([undefined, undefined]);
    cache.set(record('g', 1));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(3);
  });

  it('stays within the byte bound', () => {
    const big = 'x'.repeat(10_000);
    const cache = liveCache({ maxEntries: 1000, maxBytes: 100_000 });
    for (let i = 0; i < 50; i++) cache.set(record(`r${i}`, 1, big));
    expect(cache.sizeBytes).toBeLessThanOrEqual(100_000);
    expect(cache.size).toBeGreaterThan(0);
    expect(cache.size).toBeLessThan(50);
  });

  it('never holds a record larger than the byte bound', () => {
    const cache = liveCache({ maxEntries: 10, maxBytes: 1000 });
    cache.set(record('a', 1, 'x'.repeat(5000)));
    expect(cache.size).toBe(0);
  });

  it('holds nothing while suspended and starts empty when resumed', () => {
    const cache = liveCache();
    cache.set(record('a', 1));
    cache.suspend();
    expect(cache.get('a')).toBeUndefined();
    cache.set(record('b', 1));
    expect(cache.size).toBe(0);
    cache.resume();
    expect(cache.size).toBe(0);
    cache.set(record('b', 1));
    expect(cache.get('b')).toBeDefined();
  });

  it('holds nothing when configured with zero entries', () => {
    const cache = liveCache({ maxEntries: 0, maxBytes: 1000 });
    cache.set(record('a', 1));
    expect(cache.get('a')).toBeUndefined();
  });

  it('counts hits and misses', () => {
    let hits = 0;
    let misses = 0;
    const cache = liveCache(roomy, { onHit: () => hits++, onMiss: () => misses++ });
    cache.get('a');
    cache.set(record('a', 1));
    cache.get('a');
    expect([hits, misses]).toEqual([1, 1]);
  });
});
