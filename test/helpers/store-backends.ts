import { validateCard } from '../../src/agents/card/card-validation.js';
import { recordSummaryOf } from '../../src/agents/record-summary.js';
import { recordTermsOf, storedRecordTerms } from '../../src/agents/record-terms.js';
import type { AgentWrite } from '../../src/store/agent-record.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import { cardV1 } from './cards.js';
import { connect, deleteKeys, uniquePrefix } from './redis.js';

/** The writer of every write the contract suites make, unless a test names another. */
export const TEST_OWNER = { id: 'test-owner', admin: false };

/** What the service hands the store for `card`: its text, its normalised fields and its index terms. */
export function writeOf(
  id: string,
  card: Record<string, unknown> = cardV1(),
  now = '2025-01-01T10:00:00.000Z',
  extra: Partial<AgentWrite> = {},
): AgentWrite {
  const normalised = validateCard(card);
  return {
    id,
    card: JSON.stringify(card),
    summary: recordSummaryOf(normalised, 'unsigned'),
    terms: recordTermsOf(normalised, 'unsigned'),
    now,
    actor: TEST_OWNER,
    ...extra,
  };
}

/** The ids of the agents in every one of `terms`, as a search sees them: numbers from the index, mapped back. */
/** The numbers of the agents in every one of `terms`. */
export async function numbersMatching(store: AgentStore, terms: readonly string[]): Promise<number[]> {
  const [numbers] = await store.intersectEach([terms]);
  return numbers ?? [];
}

export async function idsMatching(store: AgentStore, terms: readonly string[]): Promise<string[]> {
  return (await store.idsOf(await numbersMatching(store, terms))).filter((id) => id !== null);
}

export interface OpenStore {
  store: AgentStore;
  close(): Promise<void>;
}

/** A store implementation the contract suites run against. */
export interface StoreBackend {
  name: string;
  open(): Promise<OpenStore>;
}

/** Both stores: Redis (a real connection, a prefix of its own, keys deleted on close) and memory. */
export const storeBackends: StoreBackend[] = [
  {
    name: 'RedisAgentStore',
    async open() {
      const prefix = uniquePrefix();
      const connection = connect();
      const store = new RedisAgentStore(connection, redisKeys(prefix), storedRecordTerms);
      return {
        store,
        async close() {
          await deleteKeys(connection, prefix);
          await store.close();
        },
      };
    },
  },
  {
    name: 'MemoryAgentStore',
    async open() {
      const store = new MemoryAgentStore();
      return { store, close: () => store.close() };
    },
  },
];
