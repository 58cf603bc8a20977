import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { mirroredRecordOf } from '../../src/follow/source-record.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import type { MirroredRecord } from '../../src/store/mirror-write.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';
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

describe('a mirror (RedisAgentStore.mirror) keeps the identifier as its source shows it', () => {
  const prefix = uniquePrefix();
  const connection = connect();
  const keys = redisKeys(prefix);
  const store = new RedisAgentStore(connection, keys, storedCards);
  const fields = {
    agent_id: 'flights',
    revision: 5,
    status: 'active' as const,
    heartbeat_ttl_seconds: 0,
    format: 'a2a-1.0',
    signature_status: 'unsigned' as const,
    domain_verified: false,
    created_at: T1,
    updated_at: T1,
  };
  const put = (record: MirroredRecord) => store.mirror({ lockToken: 'token', change: { kind: 'put', record, newerOnly: false }, at: new Date(T2) });

  afterAll(async () => {
    await deleteKeys(connection, prefix);
    await store.close();
  });

  it('stores the source\'s air_identifier, and drops it when the source no longer shows one', async () => {
    await connection.set(keys.mirrorLock, 'token');
    const card = JSON.stringify(cardV1());
    expect(await put(mirroredRecordOf({ card, fields: { ...fields, air_identifier: IDENTIFIER } }))).toBe('applied');
    expect((await store.get('flights'))?.airIdentifier).toBe(IDENTIFIER);
    expect(await put(mirroredRecordOf({ card, fields: { ...fields, revision: 6 } }))).toBe('applied');
    expect(await store.get('flights')).not.toHaveProperty('airIdentifier');
  });
});
