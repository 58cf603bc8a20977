import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStore } from '../../src/store/agent-store.js';
import { cardV1 } from '../helpers/cards.js';
import { storeBackends as backends, writeOf } from '../helpers/store-backends.js';

const T1 = '2025-01-01T10:00:00.000Z';
const T2 = '2025-01-02T11:30:00.000Z';
const IDENTIFIER = 'urn:air:Example.com:Travel:Flight-Booker_v2';

describe.each(backends.map((backend) => [backend.name, backend] as const))('%s publisher identifier contract', (_name, { open }) => {
  let store: AgentStore;
  let close: () => Promise<void>;

  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(async () => {
    await close();
  });

  it('keeps the identifier exactly, on the saved record and on reads', async () => {
    const { record } = await store.save(writeOf('flights', cardV1(), T1, { airIdentifier: IDENTIFIER }));
    expect(record.airIdentifier).toBe(IDENTIFIER);
    expect((await store.get('flights'))?.airIdentifier).toBe(IDENTIFIER);
    expect((await store.getMany(['flights']))[0]?.airIdentifier).toBe(IDENTIFIER);
  });

  it('keeps the identifier through a write that names none', async () => {
    await store.save(writeOf('flights', cardV1(), T1, { airIdentifier: IDENTIFIER }));
    const { record } = await store.save(writeOf('flights', cardV1({ description: 'Changed' }), T2));
    expect(record.airIdentifier).toBe(IDENTIFIER);
    expect((await store.get('flights'))?.airIdentifier).toBe(IDENTIFIER);
  });

  it('has none for agents that never came with one', async () => {
    const { record } = await store.save(writeOf('plain', cardV1(), T1));
    expect(record).not.toHaveProperty('airIdentifier');
    expect(await store.get('plain')).not.toHaveProperty('airIdentifier');
  });

  it('forgets the identifier with the agent', async () => {
    await store.save(writeOf('flights', cardV1(), T1, { airIdentifier: IDENTIFIER }));
    await store.delete('flights');
    const { record } = await store.save(writeOf('flights', cardV1(), T2));
    expect(record).not.toHaveProperty('airIdentifier');
  });
});
