import { describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { cardV1 } from '../helpers/cards.js';
import { writeOf } from '../helpers/store-backends.js';

describe('the embedded store keeps cards packed', () => {
  it.each([0, 1, 10])('gives back each card as sent, and the new one after a write, keeping %i read records unpacked', async (unpackedRecords) => {
    const store = new MemoryAgentStore(storedCards, undefined, undefined, undefined, unpackedRecords);
    const first = cardV1({ name: 'Météo 天気', description: 'Forecasts ✓' });
    await store.save(writeOf('meteo', first));
    await store.save(writeOf('other'));
    expect((await store.get('meteo'))?.card).toBe(JSON.stringify(first));
    const read = await store.get('meteo');
    expect(read?.summary.name).toBe('Météo 天気');
    // A reader's record is its own: changing it changes nothing kept.
    if (read) read.summary.name = 'changed';
    expect((await store.getMany(['meteo', 'other']))[0]?.summary.name).toBe('Météo 天気');
    const second = cardV1({ name: 'Météo 天気', description: 'Alerts' });
    await store.save(writeOf('meteo', second));
    expect((await store.get('meteo'))?.card).toBe(JSON.stringify(second));
    expect((await store.get('meteo'))?.summary.description).toBe('Alerts');
    await store.delete('meteo');
    expect(await store.get('meteo')).toBeNull();
  });
});
