import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';
import { AppError, UnavailableError } from '../errors.js';
import {
  keptSummaryOf,
  type Actor,
  type AgentRecord,
  type AgentStatus,
  type AgentWrite,
  type CardReader,
  type HeartbeatResult,
  type IdPage,
  type KeptSummary,
  type PreviousCard,
  type SaveOptions,
  type SaveResult,
} from './agent-record.js';
import type { AgentStore, SearchHit, TermSearch, TermSearchPage } from './agent-store.js';
import { packTerms } from './packed-terms.js';
import { AGENT_NUMBERS_PER_BUCKET, type RedisKeys } from './redis-keys.js';
import { DEFAULT_INDEX_TUNING, INACTIVE_TERM, type IndexTuning } from './term-layout.js';
import { refusedWrite, type RefusedOutcome } from './store-outcome.js';

const RECORD_FIELDS = ['card', 'meta', 'revision', 'createdAt', 'updatedAt', 'status', 'ttl', 'owner', 'source', 'prevRevision'] as const;

type ScriptReply = [string, string?, string?, string?, string?, string?];

/** The index terms of a stored record, packed, with the revision they were derived from. */
interface StoredTerms {
  packed: string;
  revision: string;
}

/** What a write assumes when it saw no stored record. */
const NO_STORED_TERMS: StoredTerms = { packed: '', revision: '' };

/**
 * How often a write derives a record's old terms again when the record keeps changing under it.
 * Each round lets at least one of the competing writers through, so this many concurrent writers
 * to one agent all succeed.
 */
const MAX_WRITE_ATTEMPTS = 64;

/** The principal and admin flag arguments of a script: empty for the registry itself. */
const actorArgs = (actor: Actor | undefined): [string, string] => (actor ? [actor.id, actor.admin ? '1' : '0'] : ['', '0']);

interface RegistryCommands {
  saveAgent(...args: string[]): Promise<ScriptReply>;
  deleteAgent(...args: string[]): Promise<ScriptReply>;
  heartbeatAgent(...args: string[]): Promise<ScriptReply>;
  expireAgents(...args: string[]): Promise<string[]>;
  purgeAgent(...args: string[]): Promise<ScriptReply>;
  searchAgents(...args: string[]): Promise<SearchReply>;
}

/** Hits (tier, number, id, ...), where the walk stopped (tier, number) or '', total, '1' when exact, work. */
type SearchReply = [string[], string, string, string, string, string];

const SCRIPTS: [keyof RegistryCommands, string, number][] = [
  ['saveAgent', 'save-agent', 8],
  ['deleteAgent', 'delete-agent', 7],
  ['heartbeatAgent', 'heartbeat-agent', 6],
  ['expireAgents', 'expire-agents', 5],
  ['purgeAgent', 'purge-agent', 5],
  ['searchAgents', 'search-agents', 1],
];

const readLua = (path: string) => readFileSync(new URL(`./lua/${path}.lua`, import.meta.url), 'utf8');

/** The Lua functions every script may call, put before each (Redis scripts cannot include one another). */
const LUA_LIBRARY = readLua('lib/numbers') + readLua('lib/packed-terms') + readLua('lib/term-index');

const loadScript = (name: string) => LUA_LIBRARY + readLua(name);

/** Registers the Lua scripts once per connection; ioredis sends EVALSHA and falls back to EVAL. */
function defineScripts(redis: Redis): Redis & RegistryCommands {
  for (const [command, file, numberOfKeys] of SCRIPTS) {
    if (!(command in redis)) redis.defineCommand(command, { numberOfKeys, lua: loadScript(file) });
  }
  return redis as Redis & RegistryCommands;
}

/** A time kept as milliseconds (9 bytes in a listpack where the ISO text takes 25), as ISO text. */
const isoTime = (milliseconds: string | null | undefined): string => new Date(Number(milliseconds ?? 0)).toISOString();

function toRecord(id: string, values: (string | null)[], cards: CardReader): AgentRecord | null {
  const [card, meta, revision, createdAt, updatedAt, status, ttl, owner, source, previousRevision] = values;
  if (card == null || meta == null || revision == null) return null;
  return {
    id,
    card,
    summary: cards.summaryOf(card, JSON.parse(meta) as KeptSummary),
    revision: Number(revision),
    createdAt: isoTime(createdAt),
    updatedAt: isoTime(updatedAt),
    status: (status ?? 'active') as AgentStatus,
    ttlSeconds: Number(ttl ?? 0),
    owner: owner ?? '',
    ...(source ? { sourceUrl: source } : {}),
    ...(previousRevision ? { previousRevision: Number(previousRevision) } : {}),
  };
}

/** The version of the data layout this code reads and writes; checkLayout compares it with Redis's. */
const STORE_LAYOUT = '2';

/** The production store: one hash per agent, one set per index term, sorted sets for listing and liveness. */
export class RedisAgentStore implements AgentStore {
  readonly kind = 'redis';
  private readonly redis: Redis & RegistryCommands;
  /** The arguments that tell a script the term layout (`lua/lib/term-index.lua` reads them). */
  private readonly termLayoutArgs: string[];
  /** Why the data under the prefix cannot be read, when checkLayout found it so. */
  private layoutProblem: string | undefined;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    /** Reads a stored card's index terms and summary: the hash keeps no copy of them. */
    private readonly cards: CardReader,
    /** Told of every failed command, for metrics. @defaultValue does nothing */
    private readonly onCommandError: (error: Error) => void = () => {},
    /** The index layout and search budgets. @defaultValue {@link DEFAULT_INDEX_TUNING} */
    private readonly tuning: Readonly<IndexTuning> = DEFAULT_INDEX_TUNING,
  ) {
    this.redis = defineScripts(redis);
    this.termLayoutArgs = [keys.smallTermPrefix, keys.termBucketPrefix, keys.largeTermCountPrefix, String(tuning.bucketWidth), String(tuning.smallTermMax), INACTIVE_TERM];
  }

  /**
   * Any failure of Redis itself (down, timed out, refusing) becomes a 503 that tells the client to
   * retry; so does data this version cannot read (see checkLayout), before any command is sent.
   */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    if (this.layoutProblem) throw new UnavailableError(this.layoutProblem);
    try {
      return await operation();
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.onCommandError(error as Error);
      throw new UnavailableError(`Storage is unavailable: ${(error as Error).message}`);
    }
  }

  /** Runs a pipeline and unwraps its replies; a failed command fails the whole read like any other Redis failure. */
  private async results(pipeline: ChainableCommander): Promise<unknown[]> {
    const replies = (await this.guard(() => pipeline.exec())) ?? [];
    return replies.map(([error, value]) => {
      if (error) throw new UnavailableError(`Storage is unavailable: ${error.message}`);
      return value;
    });
  }

  /** The keys every script that changes an agent's presence needs, in the order the scripts declare them. */
  private presenceKeys(id: string): string[] {
    const k = this.keys;
    return [k.agent(id), k.inactiveListing, k.revision, k.activeListing, k.livenessDeadlines, k.purgeDeadlines, k.refreshes];
  }

  /** The packed index terms of the record stored under `id`, and the revision they belong to. */
  private async storedTerms(id: string): Promise<StoredTerms> {
    const [card, meta, revision] = await this.guard(() => this.redis.hmget(this.keys.agent(id), 'card', 'meta', 'revision'));
    if (card == null || meta == null || revision == null) return NO_STORED_TERMS;
    return { packed: packTerms(this.cards.termsOf(card, JSON.parse(meta) as KeptSummary)), revision };
  }

  /**
   * Runs a write script that moves a record's index memberships. The script refuses ('retry') when
   * the record changed after its old terms were derived; they are then derived again, a bounded
   * number of times. `assumeNew` skips the first read, for writes that mostly create.
   */
  private async withStoredTerms(id: string, assumeNew: boolean, run: (stored: StoredTerms) => Promise<ScriptReply>): Promise<ScriptReply> {
    let stored = assumeNew ? NO_STORED_TERMS : await this.storedTerms(id);
    for (let attempt = 1; ; attempt++) {
      const reply = await this.guard(() => run(stored));
      if (reply[0] !== 'retry') return reply;
      if (attempt === MAX_WRITE_ATTEMPTS) throw new UnavailableError(`Agent ${id} kept changing during the write; try again`);
      stored = await this.storedTerms(id);
    }
  }

  /** The arguments that let a script find the number -> id hash of an agent number. */
  private agentIdsArgs(): [string, string] {
    return [this.keys.agentIdsPrefix, String(AGENT_NUMBERS_PER_BUCKET)];
  }

  async save(write: AgentWrite, options: SaveOptions = {}): Promise<SaveResult> {
    const meta = JSON.stringify(keptSummaryOf(write.summary));
    const terms = packTerms(write.terms);
    const reply = await this.withStoredTerms(write.id, true, (stored) =>
      this.redis.saveAgent(
        ...this.presenceKeys(write.id),
        this.keys.agentNumbers,
        write.id,
        options.expectedRevision === undefined ? '' : String(options.expectedRevision),
        options.mustNotExist ? '1' : '0',
        write.card,
        meta,
        this.keys.invalidations,
        terms,
        write.ttlSeconds === undefined ? '' : String(write.ttlSeconds),
        String(Date.parse(write.now)),
        String(write.defaultTtlSeconds ?? 0),
        ...actorArgs(write.actor),
        write.source?.url ?? '',
        String(write.source?.nextRefreshAt.getTime() ?? 0),
        ...this.agentIdsArgs(),
        stored.packed,
        stored.revision,
        ...this.termLayoutArgs,
      ),
    );
    const [outcome, revision, createdAt, created, ttl, owner] = reply;
    if (outcome !== 'ok') throw refusedWrite(outcome as RefusedOutcome, write.id, Number(revision));
    return {
      created: created === '1',
      record: {
        id: write.id,
        card: write.card,
        summary: write.summary,
        revision: Number(revision),
        createdAt: createdAt ? isoTime(createdAt) : write.now,
        updatedAt: write.now,
        status: 'active',
        ttlSeconds: Number(ttl ?? 0),
        owner: owner ?? write.actor.id,
        ...(write.source ? { sourceUrl: write.source.url } : {}),
      },
    };
  }

  async get(id: string): Promise<AgentRecord | null> {
    const values = await this.guard(() => this.redis.hmget(this.keys.agent(id), ...RECORD_FIELDS));
    return toRecord(id, values, this.cards);
  }

  async getMany(ids: readonly string[]): Promise<AgentRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmget(this.keys.agent(id), ...RECORD_FIELDS);
    const replies = await this.results(pipeline);
    return replies.flatMap((values, index) => toRecord(ids[index] as string, values as (string | null)[], this.cards) ?? []);
  }

  async delete(id: string, expectedRevision?: number, actor?: Actor): Promise<number> {
    const [outcome, revision] = await this.withStoredTerms(id, false, (stored) =>
      this.redis.deleteAgent(
        ...this.presenceKeys(id),
        id,
        expectedRevision === undefined ? '' : String(expectedRevision),
        this.keys.invalidations,
        String(Date.now()),
        ...actorArgs(actor),
        ...this.agentIdsArgs(),
        stored.packed,
        stored.revision,
        ...this.termLayoutArgs,
      ),
    );
    if (outcome !== 'ok') throw refusedWrite(outcome as RefusedOutcome, id, Number(revision));
    return Number(revision);
  }

  async listPage(after: string | undefined, limit: number, includeInactive = false): Promise<IdPage> {
    const min = after === undefined ? '-' : `(${after}`;
    const listings = includeInactive ? [this.keys.activeListing, this.keys.inactiveListing] : [this.keys.activeListing];
    const pipeline = this.redis.pipeline();
    for (const listing of listings) pipeline.zrangebylex(listing, min, '+', 'LIMIT', 0, limit).zcard(listing);
    const replies = await this.results(pipeline);
    const ids: string[] = [];
    let total = 0;
    for (let i = 0; i < replies.length; i += 2) {
      ids.push(...(replies[i] as string[]));
      total += replies[i + 1] as number;
    }
    // Both listings sort their ids as Redis compares them, byte by byte: so does this.
    return { ids: ids.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))).slice(0, limit), total };
  }

  async searchTerms(search: TermSearch): Promise<TermSearchPage> {
    const k = this.keys;
    const [flat, stoppedTier, stoppedAt, total, exact, work] = await this.guard(() => 
      this.redis.searchAgents(
        k.agentNumbers,
        ...this.termLayoutArgs,
        ...this.agentIdsArgs(),
        String(search.after?.tier ?? 0),
        String(search.after?.agentNumber ?? 0),
        String(search.wanted),
        String(this.tuning.walkBudget),
        String(this.tuning.bucketVisitCost),
        String(this.tuning.checkCost),
        String(this.tuning.countBudget),
        String(this.tuning.estimateSamples),
        search.includeInactive ? '0' : '1',
        String(search.terms.length),
        ...search.terms,
        ...search.preferred,
      ),
    );
    const hits: SearchHit[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      hits.push({ id: flat[i + 2] as string, position: { tier: Number(flat[i]), agentNumber: Number(flat[i + 1]) } });
    }
    return {
      hits,
      ...(stoppedTier !== '' ? { stoppedAt: { tier: Number(stoppedTier), agentNumber: Number(stoppedAt) } } : {}),
      total: Number(total),
      totalExact: exact === '1',
      work: Number(work),
    };
  }

  async count(includeInactive = false): Promise<number> {
    if (!includeInactive) return this.guard(() => this.redis.zcard(this.keys.activeListing));
    const counts = await this.results(this.redis.pipeline().zcard(this.keys.activeListing).zcard(this.keys.inactiveListing));
    return (counts[0] as number) + (counts[1] as number);
  }

  async heartbeat(id: string, now: Date, actor?: Actor): Promise<HeartbeatResult> {
    const k = this.keys;
    const [outcome, revision, deadline] = await this.guard(() => 
      this.redis.heartbeatAgent(
        k.agent(id),
        k.revision,
        k.activeListing,
        k.livenessDeadlines,
        k.purgeDeadlines,
        k.inactiveListing,
        id,
        String(now.getTime()),
        k.invalidations,
        ...actorArgs(actor),
        ...this.termLayoutArgs,
      ),
    );
    if (outcome === 'missing' || outcome === 'forbidden') throw refusedWrite(outcome, id, Number(revision));
    const expiresAt = Number(deadline);
    return { revision: Number(revision), reactivated: outcome === 'reactivated', ...(expiresAt > 0 ? { expiresAt: new Date(expiresAt) } : {}) };
  }

  expireDue(now: Date, limit: number, graceMs: number): Promise<string[]> {
    const k = this.keys;
    return this.guard(() => 
      this.redis.expireAgents(
        k.livenessDeadlines,
        k.purgeDeadlines,
        k.activeListing,
        k.inactiveListing,
        k.revision,
        String(now.getTime()),
        String(limit),
        String(graceMs),
        k.agentPrefix,
        k.invalidations,
        ...this.termLayoutArgs,
      ),
    );
  }

  async purgeDue(now: Date, limit: number): Promise<string[]> {
    const k = this.keys;
    const due = await this.guard(() => this.redis.zrangebyscore(k.purgeDeadlines, '-inf', now.getTime(), 'LIMIT', 0, limit));
    const purged: string[] = [];
    for (const id of due) {
      const [outcome] = await this.withStoredTerms(id, false, (stored) =>
        this.redis.purgeAgent(
          k.purgeDeadlines,
          k.inactiveListing,
          k.revision,
          k.refreshes,
          k.agent(id),
          id,
          String(now.getTime()),
          k.invalidations,
          ...this.agentIdsArgs(),
          stored.packed,
          stored.revision,
          ...this.termLayoutArgs,
        ),
      );
      if (outcome === 'purged') purged.push(id);
    }
    return purged;
  }

  dueRefreshes(now: Date, limit: number): Promise<string[]> {
    return this.guard(() => this.redis.zrangebyscore(this.keys.refreshes, '-inf', now.getTime(), 'LIMIT', 0, limit));
  }

  async scheduleRefresh(id: string, at: Date): Promise<void> {
    await this.guard(() => this.redis.zadd(this.keys.refreshes, 'XX', at.getTime(), id));
  }

  async previousCard(id: string): Promise<PreviousCard | null> {
    const [card, revision] = await this.guard(() => this.redis.hmget(this.keys.agent(id), 'prevCard', 'prevRevision'));
    return card != null && revision != null ? { card, revision: Number(revision) } : null;
  }

  /**
   * Checks that the data under the prefix is in this version's layout, and marks an empty prefix as
   * such. Data written by an earlier layout (index sets of every member, a set of every id) would
   * be read wrongly, so then every operation answers 503 saying so, until the prefix holds data
   * this version can read. Run whenever the connection becomes ready: Redis may have been replaced.
   */
  async checkLayout(): Promise<string | undefined> {
    const k = this.keys;
    const [layout, earlier] = (await this.redis.pipeline().get(k.layout).exists(...k.earlierLayoutMarkers).exec()) ?? [];
    const found = layout?.[1] as string | null;
    if (found === STORE_LAYOUT && !earlier?.[1]) {
      this.layoutProblem = undefined;
    } else if (found === null && !earlier?.[1]) {
      await this.redis.set(k.layout, STORE_LAYOUT, 'NX');
      this.layoutProblem = undefined;
    } else {
      this.layoutProblem =
        `Redis holds agents under this prefix in a data layout this version cannot read (layout ${found ?? 'of an earlier version'}, this version writes ${STORE_LAYOUT}); ` +
        'point REDIS_PREFIX at an empty prefix, or empty this one, and register the agents again';
    }
    return this.layoutProblem;
  }

  async ping(): Promise<void> {
    await this.guard(() => this.redis.ping());
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
