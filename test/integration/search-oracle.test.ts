import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { storedCards } from '../../src/agents/stored-cards.js';
import { validateCard } from '../../src/card/card-validation.js';
import { recordTermsOf } from '../../src/agents/record-terms.js';
import { term } from '../../src/search/index-terms.js';
import type { SearchCriteria } from '../../src/search/search-criteria.js';
import { SearchService } from '../../src/search/search-service.js';
import { tokenize } from '../../src/search/tokenizer.js';
import { isPrefixable } from '../../src/search/word-prefixes.js';
import type { NormalisedCard } from '../../src/card/normalised-card.js';
import type { LifecycleStatus } from '../../src/store/agent-record.js';
import type { AgentStore } from '../../src/store/agent-store.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';
import { RedisAgentStore } from '../../src/store/redis-agent-store.js';
import { redisKeys } from '../../src/store/redis-keys.js';
import type { IndexTuning } from '../../src/store/term-layout.js';
import { cardV1 } from '../helpers/cards.js';
import { connect, deleteKeys, uniquePrefix } from '../helpers/redis.js';
import { TEST_OWNER, writeOf } from '../helpers/store-backends.js';

/**
 * A tiny layout, so that catalogues of a few dozen agents already have large terms split into
 * buckets or kept as bitmaps (those that grow large among the first 16 numbers), terms that grow
 * past the small bound and shrink again, and walks that spend their budget.
 */
const TINY: IndexTuning = { bucketWidth: 8, smallTermMax: 3, denseTermShare: 4, walkBudget: 24, embeddedWalkBudget: 24, bucketVisitCost: 3, checkCost: 2, countBudget: 12, estimateSamples: 2 };

const SKILLS = ['plan', 'route', 'quote', 'chart'];
const TAGS = ['travel', 'money', 'maps'];
const MODES = ['text/plain', 'image/png', 'application/json'];
const WORDS = ['swift', 'amber', 'delta', 'delve', 'orbit', 'pixel'];
/** Query words: whole card words, and the starts of card words (`del` begins two), matched by their prefix terms where the store keeps them. */
const QUERY_WORDS = [...WORDS, 'del', 'orb', 'pixe', 'amb'];

interface AgentSpec {
  nameWords: string[];
  descriptionWords: string[];
  skills: string[];
  tags: string[];
  mode: string;
  streaming: boolean;
}

const agentSpec: fc.Arbitrary<AgentSpec> = fc.record({
  nameWords: fc.subarray(WORDS, { minLength: 0, maxLength: 2 }),
  descriptionWords: fc.subarray(WORDS, { minLength: 1, maxLength: 3 }),
  skills: fc.subarray(SKILLS, { minLength: 1, maxLength: 2 }),
  tags: fc.subarray(TAGS, { minLength: 1, maxLength: 2 }),
  mode: fc.constantFrom(...MODES),
  streaming: fc.boolean(),
});

/** What happens to the catalogue: an agent (re-)registered, deleted, turned inactive, or deprecated (or made active again) by its owner. */
type Change =
  | { kind: 'save'; slot: number; spec: AgentSpec }
  | { kind: 'delete'; slot: number }
  | { kind: 'expire'; slot: number }
  | { kind: 'lifecycle'; slot: number; status: LifecycleStatus };

const SLOTS = 40;
const change: fc.Arbitrary<Change> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('save' as const), slot: fc.nat(SLOTS - 1), spec: agentSpec }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), slot: fc.nat(SLOTS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), slot: fc.nat(SLOTS - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lifecycle' as const), slot: fc.nat(SLOTS - 1), status: fc.constantFrom<LifecycleStatus>('deprecated', 'active') }) },
);

const criteria: fc.Arbitrary<SearchCriteria> = fc
  .record({
    skills: fc.subarray(SKILLS, { maxLength: 2 }),
    tags: fc.subarray(TAGS, { maxLength: 1 }),
    inputModes: fc.subarray(MODES, { maxLength: 1 }),
    streaming: fc.option(fc.boolean(), { nil: undefined }),
    words: fc.subarray(QUERY_WORDS, { maxLength: 2 }),
    includeInactive: fc.boolean(),
    limit: fc.integer({ min: 1, max: 7 }),
  })
  .map(({ words, streaming, ...rest }) => ({
    outputModes: [],
    bindings: [],
    providers: [],
    extensions: [],
    signatureStatuses: [],
    ...rest,
    ...(streaming === undefined ? {} : { streaming }),
    ...(words.length > 0 ? { query: words.join(' ') } : {}),
  }));

function cardOf(slot: number, spec: AgentSpec): Record<string, unknown> {
  return cardV1({
    name: ['agent', String(slot), ...spec.nameWords].join(' '),
    description: `Serves ${spec.descriptionWords.join(' ')}`,
    capabilities: { streaming: spec.streaming, pushNotifications: false },
    defaultInputModes: [spec.mode],
    skills: spec.skills.map((id) => ({ id, name: `Skill ${id}`, description: 'Does it', tags: spec.tags })),
  });
}

/** The catalogue as a brute-force filter sees it: every agent's card terms and words, status, lifecycle and registration order. */
interface OracleAgent {
  id: string;
  terms: Set<string>;
  /** The words of every text of its card, and of its name alone. */
  words: string[];
  nameWords: string[];
  active: boolean;
  deprecated: boolean;
  order: number;
}

/** The texts of a card whose words a search matches: its name and description, and each skill's name, id, description and tags. */
const cardTexts = (card: NormalisedCard) => [card.name, card.description, ...card.skills.flatMap((s) => [s.name, s.id, s.description, ...s.tags])];

/** Whether query word `word` matches one of `words`: whole, or as the start of one where the store keeps word prefixes and it is of their length. */
const matchesWord = (words: readonly string[], word: string, prefixes: boolean) =>
  prefixes && isPrefixable(word) ? words.some((w) => w.startsWith(word)) : words.includes(word);

class Oracle {
  readonly agents = new Map<string, OracleAgent>();
  private registrations = 0;

  save(id: string, card: Record<string, unknown>): void {
    const normalised = validateCard(card);
    const terms = new Set(recordTermsOf(normalised, 'unsigned'));
    const before = this.agents.get(id);
    const order = before?.order ?? ++this.registrations;
    const words = [...new Set(cardTexts(normalised).flatMap(tokenize))];
    // A new card keeps the lifecycle its owner set.
    this.agents.set(id, { id, terms, words, nameWords: tokenize(normalised.name), active: true, deprecated: before?.deprecated ?? false, order });
  }

  /**
   * The ids a search must show, in its order: agents listed by id without filters or words, else the
   * matches whose name holds every word first, then the others, the deprecated ones after both in
   * the same order, each oldest registration first. `prefixes`: whether the store keeps word prefixes.
   */
  expected(query: SearchCriteria, prefixes: boolean): string[] {
    const wanted = [
      ...query.skills.map((v) => term('skill', v)),
      ...query.tags.map((v) => term('tag', v)),
      ...query.inputModes.map((v) => term('in', v)),
      ...(query.streaming === undefined ? [] : [term('streaming', String(query.streaming))]),
    ];
    const words = [...new Set(tokenize(query.query ?? ''))];
    const matches = [...this.agents.values()].filter(
      (a) => (query.includeInactive || a.active) && wanted.every((t) => a.terms.has(t)) && words.every((w) => matchesWord(a.words, w, prefixes)),
    );
    if (wanted.length === 0 && words.length === 0) return matches.map((a) => a.id).sort();
    const nameTier = (a: OracleAgent) => (words.length > 0 && words.every((w) => matchesWord(a.nameWords, w, prefixes)) ? 0 : 1);
    const tier = (a: OracleAgent) => (a.deprecated ? 2 : 0) + nameTier(a);
    return matches.sort((a, b) => tier(a) - tier(b) || a.order - b.order).map((a) => a.id);
  }
}

async function apply(store: AgentStore, oracle: Oracle, step: Change, clock: { now: number }): Promise<void> {
  const id = `agent-${step.slot}`;
  if (step.kind === 'save') {
    const card = cardOf(step.slot, step.spec);
    await store.save(writeOf(id, card, new Date(clock.now).toISOString(), { ttlSeconds: 1 }));
    oracle.save(id, card);
  } else if (step.kind === 'delete') {
    if (!oracle.agents.has(id)) return;
    await store.delete(id);
    oracle.agents.delete(id);
  } else if (step.kind === 'lifecycle') {
    const agent = oracle.agents.get(id);
    if (!agent) return;
    await store.setLifecycle(id, { status: step.status, now: new Date(clock.now), actor: TEST_OWNER });
    agent.deprecated = step.status === 'deprecated';
  } else {
    const agent = oracle.agents.get(id);
    if (!agent?.active) return;
    // Every agent lives one second without a heartbeat; the others get one first.
    clock.now += 2000;
    for (const other of oracle.agents.values()) if (other.id !== id && other.active) await store.heartbeat(other.id, new Date(clock.now - 500));
    await store.expireDue(new Date(clock.now), 1000, 3_600_000);
    agent.active = false;
  }
}

/** A page's byte budget: the default, or room for about two of the test's cards, so that pages end early. */
const pageBytes = fc.constantFrom(8 * 1024 * 1024, 2500);

/** Every page of a search, following next_cursor: the ids in order, and each page's total. */
async function walkPages(search: SearchService, query: SearchCriteria, between: () => Promise<void> = async () => {}) {
  const ids: string[] = [];
  const totals: { total: number; exact: boolean; shown: number }[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 500; pages++) {
    const page = await search.search({ ...query, ...(cursor ? { cursor } : {}) });
    ids.push(...page.records.map((r) => r.id));
    totals.push({ total: page.total, exact: page.totalExact, shown: page.records.length });
    cursor = page.nextCursor;
    if (!cursor) return { ids, totals };
    await between();
  }
  throw new Error('the walk did not end within 500 pages');
}

interface Backend {
  name: string;
  open(tuning: IndexTuning): Promise<{ store: AgentStore; close(): Promise<void> }>;
}

const admin = connect();
afterAll(() => admin.disconnect());

const backends: Backend[] = [
  {
    // Before checkLayout has seen the prefix's layout, every large term is kept in buckets.
    name: 'RedisAgentStore with every large term in buckets',
    async open(tuning) {
      const prefix = uniquePrefix();
      const store = new RedisAgentStore(admin, redisKeys(prefix), storedCards, () => {}, tuning);
      return { store, close: () => deleteKeys(admin, prefix) };
    },
  },
  {
    // The layout of an empty prefix: terms common when they grow large become bitmaps, later ones buckets.
    name: 'RedisAgentStore with dense terms as bitmaps',
    async open(tuning) {
      const prefix = uniquePrefix();
      const store = new RedisAgentStore(admin, redisKeys(prefix), storedCards, () => {}, tuning);
      await store.checkLayout();
      return { store, close: () => deleteKeys(admin, prefix) };
    },
  },
  { name: 'MemoryAgentStore', open: async (tuning) => ({ store: new MemoryAgentStore(storedCards, tuning), close: async () => {} }) },
];

describe.each(backends.map((b) => [b.name, b] as const))('%s search against a brute-force filter', (_name, backend) => {
  it('shows every match once, in rank order, over all pages, with exact totals right and estimates no lower than their page', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(change, { minLength: 20, maxLength: 150 }), fc.array(criteria, { minLength: 1, maxLength: 6 }), pageBytes, async (changes, queries, maxPageBytes) => {
        const { store, close } = await backend.open(TINY);
        const oracle = new Oracle();
        const clock = { now: Date.parse('2025-01-01T00:00:00.000Z') };
        try {
          for (const step of changes) await apply(store, oracle, step, clock);
          const search = new SearchService(store, maxPageBytes);
          for (const query of queries) {
            const expected = oracle.expected(query, store.indexesWordPrefixes);
            const { ids, totals } = await walkPages(search, query);
            expect(ids).toEqual(expected);
            for (const { total, exact, shown } of totals) {
              if (exact) expect(total).toBe(expected.length);
              // An estimate is never below the matches its own page shows.
              else expect(total).toBeGreaterThanOrEqual(shown);
            }
          }
        } finally {
          await close();
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('a walk through the pages shows each agent that stays as it is exactly once, in order, while others are registered, changed, deprecated, expired and deleted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(change, { minLength: 30, maxLength: 120 }),
        criteria,
        fc.array(change, { minLength: 1, maxLength: 30 }),
        pageBytes,
        async (before, query, during, maxPageBytes) => {
          const { store, close } = await backend.open(TINY);
          const oracle = new Oracle();
          const clock = { now: Date.parse('2025-01-01T00:00:00.000Z') };
          try {
            for (const step of before) await apply(store, oracle, step, clock);
            // Changes during the walk touch only slots the walk does not judge: the second half.
            const moving = during.map((step) => ({ ...step, slot: SLOTS / 2 + (step.slot % (SLOTS / 2)) }));
            const steady = oracle.expected(query, store.indexesWordPrefixes).filter((id) => Number(id.split('-')[1]) < SLOTS / 2);
            let next = 0;
            const { ids } = await walkPages(new SearchService(store, maxPageBytes), query, async () => {
              const step = moving[next++];
              if (step) await apply(store, oracle, step, clock);
            });
            // An agent changed between two pages may change its place, and be shown in both; the
            // steady ones, in the first half of the slots, are shown once each, in order.
            expect(ids.filter((id) => Number(id.split('-')[1]) < SLOTS / 2)).toEqual(steady);
          } finally {
            await close();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);
});
