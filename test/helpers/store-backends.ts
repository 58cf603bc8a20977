import { storedCards } from '../../src/agents/stored-cards.js';
import { validateCard } from '../../src/card/card-validation.js';
import { interfaceHosts } from '../../src/card/interface-hosts.js';
import { recordSummaryOf } from '../../src/agents/record-summary.js';
import { recordTermsOf } from '../../src/agents/record-terms.js';
import type { AgentWrite } from '../../src/store/agent-record.js';
import type { AgentStore, SearchHit, SearchPosition, TermSearch } from '../../src/store/agent-store.js';
import type { DomainStore } from '../../src/store/domain-claims.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { MemoryDomainStore } from '../../src/store/memory-domain-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { RedisDomainStore } from '../../src/store/redis-domain-store.js';
import { DEFAULT_INDEX_TUNING } from '../../src/store/term-layout.js';
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
    summary: recordSummaryOf(normalised, { status: 'unsigned' }),
    terms: recordTermsOf(normalised, 'unsigned'),
    now,
    actor: TEST_OWNER,
    hosts: interfaceHosts(normalised),
    ...extra,
  };
}

/** Every hit of a search, page after page, following where each page stopped. */
export async function searchAll(store: AgentStore, search: Omit<TermSearch, 'after' | 'wanted'>, wanted = 500): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  let after: SearchPosition | undefined;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await store.searchTerms({ ...search, wanted, ...(after ? { after } : {}) });
    hits.push(...page.hits);
    after = page.hits.length === wanted ? page.hits.at(-1)?.position : page.stoppedAt;
    if (!after) return hits;
  }
  throw new Error('the search did not end within 10,000 pages');
}

/** The agents in every one of `terms`, oldest first; inactive ones too unless `includeInactive` is false. */
export async function idsMatching(store: AgentStore, terms: readonly string[], includeInactive = true): Promise<string[]> {
  return (await searchAll(store, { terms, preferred: [], includeInactive })).map((hit) => hit.id);
}

/** The numbers of the agents in every one of `terms`, ascending. */
export async function numbersMatching(store: AgentStore, terms: readonly string[]): Promise<number[]> {
  return (await searchAll(store, { terms, preferred: [], includeInactive: true })).map((hit) => hit.position.agentNumber);
}

export interface OpenStore {
  store: AgentStore;
  /** The domain claims the store checks its writes against. */
  domains: DomainStore;
  close(): Promise<void>;
}

/** A store implementation the contract suites run against. */
export interface StoreBackend {
  name: string;
  /** `changeLogEvents`: about how many events the change log keeps (default: the store's). */
  open(changeLogEvents?: number): Promise<OpenStore>;
}

/** Both stores: Redis (a real connection, a prefix of its own, keys deleted on close) and memory. */
export const storeBackends: StoreBackend[] = [
  {
    name: 'RedisAgentStore',
    async open(changeLogEvents) {
      const prefix = uniquePrefix();
      const connection = connect();
      const keys = redisKeys(prefix);
      const store = new RedisAgentStore(connection, keys, storedCards, undefined, undefined, undefined, changeLogEvents);
      return {
        store,
        domains: new RedisDomainStore(connection, keys),
        async close() {
          await deleteKeys(connection, prefix);
          await store.close();
        },
      };
    },
  },
  {
    name: 'MemoryAgentStore',
    async open(changeLogEvents) {
      const domains = new MemoryDomainStore();
      const store = new MemoryAgentStore(storedCards, DEFAULT_INDEX_TUNING, domains.ownerOf, changeLogEvents);
      return { store, domains, close: () => store.close() };
    },
  },
];
