import { describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import type { ProbeOutcome } from '../../src/store/probe-outcome.js';
import { cardV1 } from '../helpers/cards.js';
import { TEST_OWNER, writeOf } from '../helpers/store-backends.js';

const probed = (checkedAt: string): ProbeOutcome => ({
  result: { status: 'ok', checkedAt, latencyMs: 5, transport: 'ok', cardDrift: null, error: null },
  failures: 0,
});

describe('the embedded store keeps cards packed', () => {
  it.each([0, 1, 10])('gives back each card as sent, and the new one after a write, keeping %i read records', async (readRecords) => {
    const store = new MemoryAgentStore(storedCards, undefined, undefined, undefined, readRecords);
    const first = cardV1({ name: 'Météo 天気', description: 'Forecasts ✓' });
    await store.save(writeOf('meteo', first));
    await store.save(writeOf('other'));
    expect((await store.get('meteo'))?.card).toBe(JSON.stringify(first));
    expect((await store.getMany(['meteo', 'other']))[0]?.summary.name).toBe('Météo 天気');
    const second = cardV1({ name: 'Météo 天気', description: 'Alerts' });
    await store.save(writeOf('meteo', second));
    expect((await store.get('meteo'))?.card).toBe(JSON.stringify(second));
    expect((await store.get('meteo'))?.summary.description).toBe('Alerts');
    await store.delete('meteo');
    expect(await store.get('meteo')).toBeNull();
  });

  it('hands readers one record while it is unchanged, and a new one after any change in place', async () => {
    const store = new MemoryAgentStore(storedCards);
    const written = await store.save(writeOf('meteo', cardV1(), '2025-01-01T10:00:00.000Z', { ttlSeconds: 60 }));
    const read = await store.get('meteo');
    expect(await store.get('meteo')).toBe(read);
    // The record a write answers is not the one kept for readers, and what was handed out never changes.
    expect(written.record).not.toBe(read);

    await store.setLifecycle('meteo', { status: 'deprecated', message: 'use storm', now: new Date('2025-01-01T10:01:00Z'), actor: TEST_OWNER });
    const deprecated = await store.get('meteo');
    expect(deprecated?.lifecycle).toMatchObject({ status: 'deprecated', message: 'use storm' });
    expect(read?.lifecycle.status).toBe('active');

    // A probe of the same status takes no revision, but its result is new.
    await store.recordProbe('meteo', probed('2025-01-01T10:02:00.000Z'), new Date('2025-01-01T11:00:00Z'));
    await store.recordProbe('meteo', probed('2025-01-01T10:03:00.000Z'), new Date('2025-01-01T11:00:00Z'));
    expect((await store.get('meteo'))?.probe?.result.checkedAt).toBe('2025-01-01T10:03:00.000Z');

    await store.expireDue(new Date('2025-01-01T10:05:00Z'), 10, 0);
    expect((await store.get('meteo'))?.status).toBe('inactive');
    expect(deprecated?.status).toBe('active');
  });
});
