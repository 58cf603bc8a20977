import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';
import { AppError, StorageUnavailableError, UnavailableError, WriteOutcomeUnknownError } from '../errors.js';
import {
  keptSummaryOf,
  MAX_OWNER_CHANGES,
  signatureDetailOf,
  type Actor,
  type AgentRecord,
  type AgentStatus,
  type AgentWrite,
  type CardReader,
  type ChangedEntry,
  type ChangedPage,
  type ChangedPosition,
  type Lifecycle,
  type LifecycleChange,
  type LifecycleStatus,
  ACTIVE_LIFECYCLE,
  type HeartbeatResult,
  type IdempotencyClaim,
  type IdPage,
  type KeptOutcome,
  type KeptSummary,
  type OwnerChange,
  type PreviousCard,
  type RecordSummary,
  type SaveOptions,
  type SaveResult,
  nameDigestOf,
} from './agent-record.js';
import type { AgentStore, NumberedIds, ProbeClaim, ProbeRecorded, SearchHit, SearchPosition, SettledAgent, TermSearch, TermSearchPage } from './agent-store.js';
import { EXTENSION_WALK_BUDGET, extensionEntriesOf, type ExtensionEntry, type ExtensionPage, type ExtensionQuery, type TrustLevel } from './extension-catalog.js';
import { packTerms } from './packed-terms.js';
import { closeRedis } from './redis-connection.js';
import type { ReplicaWait } from './replica-wait.js';
import { AGENT_NUMBERS_PER_BUCKET, type RedisKeys } from './redis-keys.js';
import { DEFAULT_INDEX_TUNING, DEPRECATED_TERM, INACTIVE_TERM, type IndexTuning } from './term-layout.js';
import { keptFor, refusedWrite, type RefusedOutcome } from './store-outcome.js';
import { DEFAULT_CHANGE_LOG_EVENTS, type ChangeKind, type ChangeRead, type StoredChange } from './change-log.js';
import type { MirrorOutcome, MirrorStep } from './mirror-write.js';
import { decodeProbe, encodeProbeDetail, type ProbeOutcome, type ProbeStatus } from './probe-outcome.js';
import { packCard, unpackCard } from './stored-card.js';
import { SaveBatches, SaveNotSentError, type SaveBatchOptions, type ScriptArg } from './save-batches.js';
import { AgentIdsByNumber } from './agent-ids-by-number.js';

/** An event as the change log stream holds it (`lua/lib/changes.lua`): field, value, ... */
function storedChangeOf(position: string, fields: string[]): StoredChange {
  const value: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) value[fields[i] as string] = fields[i + 1] as string;
  return {
    position,
    agentId: value.a ?? '',
    kind: value.k as ChangeKind,
    revision: Number(value.r),
    at: Number(value.t),
    ...(value.s ? { summary: JSON.parse(value.s) as RecordSummary } : {}),
    ...(value.l ? { lifecycle: { status: value.l as LifecycleStatus, ...(value.m ? { message: value.m } : {}) } } : {}),
    ...(value.p ? { probe: { status: value.p as ProbeStatus, ...(value.q ? { previous: value.q as ProbeStatus } : {}) } } : {}),
  };
}

const RECORD_FIELDS = ['card', 'meta', 'revision', 'createdAt', 'updatedAt', 'status', 'ttl', 'owner', 'source', 'prevRevision', 'dv', 'owners', 'ls', 'lm', 'lt', 'air', 'ps', 'pr'] as const;

type ScriptReply = [string, string?, string?, string?, string?, string?, string?, string?, string?, string?, string?];

/** The index terms of a stored record, packed, with the revision they were derived from. */
interface StoredTerms {
  packed: string;
  revision: string;
}

/** The index terms of interface hosts and their domains (`search/index-terms.ts`, kind `host`). */
const HOST_TERM_PREFIX = 'host:';

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
  /** A batch of saves (SaveBatches): how many keys, then the keys and the arguments. */
  saveAgents(numberOfKeys: number, ...args: ScriptArg[]): Promise<ScriptReply[]>;
  deleteAgent(...args: ScriptArg[]): Promise<ScriptReply>;
  heartbeatAgent(...args: ScriptArg[]): Promise<ScriptReply>;
  expireAgents(...args: ScriptArg[]): Promise<string[]>;
  purgeAgent(...args: ScriptArg[]): Promise<ScriptReply>;
  settleDomainAgents(...args: ScriptArg[]): Promise<string[]>;
  searchAgents(...args: ScriptArg[]): Promise<SearchReply>;
  setLifecycle(...args: ScriptArg[]): Promise<ScriptReply>;
  changedSince(...args: ScriptArg[]): Promise<string[]>;
  sweepTombstones(...args: ScriptArg[]): Promise<number>;
  readChanges(...args: ScriptArg[]): Promise<ChangesReply>;
  listExtensions(...args: ScriptArg[]): Promise<[string[], string, number, number]>;
  readExtensions(...args: ScriptArg[]): Promise<string[]>;
  setExtensionTrust(...args: ScriptArg[]): Promise<string[]>;
  mirrorAgent(...args: ScriptArg[]): Promise<[MirrorOutcome | 'retry']>;
  claimProbes(...args: ScriptArg[]): Promise<string[]>;
  recordProbe(...args: ScriptArg[]): Promise<[string, string?]>;
  scheduleProbe(...args: ScriptArg[]): Promise<number>;
}

/** The epoch, the last position, the highest position trimmed, and the events as XRANGE gives them. */
type ChangesReply = [string, string, string, [string, string[]][]];

/** Hits (tier, number, id, ...), where the walk stopped (tier, number) or '', total, '1' when exact, work. */
type SearchReply = [string[], string, string, string, string, string, string];

/** The kinds of change that write a card: their events carry its summary. */
const CARD_CHANGES: ReadonlySet<ChangeKind> = new Set(['registered', 'updated', 'refreshed']);

/** Each script's command, file and number of keys (undefined: the caller says, first). */
const SCRIPTS: [keyof RegistryCommands, string, number | undefined][] = [
  ['saveAgents', 'save-agents', undefined],
  ['deleteAgent', 'delete-agent', 7],
  ['heartbeatAgent', 'heartbeat-agent', 6],
  ['expireAgents', 'expire-agents', 5],
  ['purgeAgent', 'purge-agent', 5],
  ['searchAgents', 'search-agents', 1],
  ['setLifecycle', 'set-lifecycle', 2],
  ['changedSince', 'changed-since', 3],
  ['sweepTombstones', 'sweep-tombstones', 2],
  ['readChanges', 'read-changes', 2],
  ['settleDomainAgents', 'settle-domain-agents', 2],
  ['listExtensions', 'list-extensions', 1],
  ['readExtensions', 'read-extensions', 1],
  ['setExtensionTrust', 'set-extension-trust', 1],
  ['mirrorAgent', 'mirror-agent', 10],
  ['claimProbes', 'claim-probes', 2],
  ['recordProbe', 'record-probe', 4],
  ['scheduleProbe', 'schedule-probe', 3],
];

const luaTexts = new Map<string, string>();

/** The text of a Lua script of `lua/`, by its path there without `.lua`; each file is read once. */
export const readLua = (path: string): string => {
  let text = luaTexts.get(path);
  if (text === undefined) {
    text = readFileSync(new URL(`./lua/${path}.lua`, import.meta.url), 'utf8');
    luaTexts.set(path, text);
  }
  return text;
};

/** The Lua functions every script may call, put before each in this order (Redis scripts cannot include one another). */
const LUA_LIBRARY_FILES = ['numbers', 'packed-terms', 'term-index', 'extension-catalog', 'idempotency', 'changes', 'agent-ids', 'domain-owners', 'probe-schedule'];

/**
 * A script of `lua/` as Redis runs it: the library, then the script. `read` reads a file of `lua/`
 * by its path there without `.lua` (the benchmark's replay reads another revision's with it).
 * @defaultValue read: this checkout's files, {@link readLua}
 */
export const scriptSource = (name: string, read: (path: string) => string = readLua): string =>
  [...LUA_LIBRARY_FILES.map((lib) => read(`lib/${lib}`)), read(name)].join('');

/** Registers the Lua scripts once per connection; ioredis sends EVALSHA and falls back to EVAL. */
function defineScripts(redis: Redis): Redis & RegistryCommands {
  for (const [command, file, numberOfKeys] of SCRIPTS) {
    if (!(command in redis)) redis.defineCommand(command, { ...(numberOfKeys === undefined ? {} : { numberOfKeys }), lua: scriptSource(file) });
  }
  return redis as Redis & RegistryCommands;
}

/** A time kept as milliseconds (9 bytes in a listpack where the ISO text takes 25), as ISO text. */
const isoTime = (milliseconds: string | null | undefined): string => new Date(Number(milliseconds ?? 0)).toISOString();

/** Owner changes as the settle script keeps them: JSON, with times in milliseconds. */
function ownerChangesOf(text: string): OwnerChange[] {
  return (JSON.parse(text) as OwnerChange[]).map((change) => ({ ...change, at: isoTime(change.at) }));
}

/**
 * The lifecycle fields of an agent hash (`ls`, `lm`, `lt`): none on agents whose owner never set
 * one, or stored before there were lifecycles, which are active.
 */
function lifecycleOf(status: string | null | undefined, message: string | null | undefined, changedAt: string | null | undefined): Lifecycle {
  if (!status && !message && !changedAt) return ACTIVE_LIFECYCLE;
  return {
    status: (status || 'active') as LifecycleStatus,
    ...(message ? { message } : {}),
    ...(changedAt ? { changedAt: isoTime(changedAt) } : {}),
  };
}

/** Fields read as bytes, where the first is a card as the hash keeps it: the card's text, then the others as text. */
function cardAndFields(values: (Buffer | null)[]): (string | null)[] {
  const [card, ...fields] = values;
  return [card == null ? null : unpackCard(card), ...fields.map((field) => field?.toString('utf8') ?? null)];
}

function toRecord(id: string, values: (Buffer | null)[], cards: CardReader): AgentRecord | null {
  const [card, meta, revision, createdAt, updatedAt, status, ttl, owner, source, previousRevision, domainVerified, owners, ls, lm, lt, air, ps, pr] =
    cardAndFields(values);
  if (card == null || meta == null || revision == null) return null;
  const probe = decodeProbe(ps, pr);
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
    ...(air ? { airIdentifier: air } : {}),
    ...(previousRevision ? { previousRevision: Number(previousRevision) } : {}),
    domainVerified: domainVerified === '1',
    ...(owners ? { ownerChanges: ownerChangesOf(owners) } : {}),
    lifecycle: lifecycleOf(ls, lm, lt),
    ...(probe ? { probe } : {}),
  };
}

/**
 * An outcome as the write scripts keep it: lines the caller wrote before the write (fingerprint,
 * kind, id, and for a save the summary fields and source it sent), then those the script decided
 * (revision; for a save createdAt, updatedAt, TTL, whether it created the agent, whether its
 * domains are verified and its lifecycle).
 */
function keptOutcomeOf(text: string): KeptOutcome {
  const [fingerprint = '', kind, id = '', ...rest] = text.split('\n');
  if (kind === 'deleted') return { fingerprint, kind, id, revision: Number(rest[0]) };
  const [format, signature = '', source, revision, createdAt, updatedAt, ttl, created, domainVerified, lifecycle] = rest;
  // Outcomes kept before lifecycles existed have no lifecycle line: their answers showed none.
  const [ls, lm, lt] = lifecycle ? (JSON.parse(lifecycle) as string[]) : [];
  return {
    fingerprint,
    kind: 'saved',
    saved: {
      created: created === '1',
      record: {
        id,
        summary: { format: format as RecordSummary['format'], ...keptSignatureOf(signature) },
        revision: Number(revision),
        createdAt: isoTime(createdAt),
        updatedAt: isoTime(updatedAt),
        status: 'active',
        ttlSeconds: Number(ttl),
        ...(source ? { sourceUrl: source } : {}),
        domainVerified: domainVerified === '1',
        ...(lifecycle ? { lifecycle: lifecycleOf(ls, lm, lt) } : {}),
      },
    },
  };
}

/**
 * A summary's signature fields as one line of a kept outcome: the status, then (when there is one)
 * a space and the form or error as JSON, which escapes any line break a message holds. Outcomes
 * kept before these fields existed hold the status alone, and read back the same.
 */
function signatureLineOf(summary: RecordSummary): string {
  const detail = signatureDetailOf(summary);
  return Object.keys(detail).length === 0 ? summary.signatureStatus : `${summary.signatureStatus} ${JSON.stringify(detail)}`;
}

function keptSignatureOf(line: string): Pick<RecordSummary, 'signatureStatus' | 'signatureForm' | 'signatureError'> {
  const space = line.indexOf(' ');
  if (space < 0) return { signatureStatus: line as RecordSummary['signatureStatus'] };
  const detail = JSON.parse(line.slice(space + 1)) as Pick<RecordSummary, 'signatureForm' | 'signatureError'>;
  return { signatureStatus: line.slice(0, space) as RecordSummary['signatureStatus'], ...detail };
}

/** The lines of a save's outcome its caller knows before the write; the script adds the rest. */
const knownOfSave = (claim: IdempotencyClaim, write: AgentWrite): string =>
  [claim.fingerprint, 'saved', write.id, write.summary.format, signatureLineOf(write.summary), write.source?.url ?? ''].join('\n');

const knownOfDelete = (claim: IdempotencyClaim, id: string): string => [claim.fingerprint, 'deleted', id].join('\n');

/**
 * Whether a failed command may have reached Redis: every failure but the refusal to send on a
 * connection that is not open (the offline queue is off, so ioredis refuses at once) and a save
 * dropped unsent after the batch before it failed.
 */
const mayHaveRun = (error: Error): boolean => !(error instanceof SaveNotSentError) && !error.message.startsWith("Stream isn't writeable");

/**
 * Most catalog entries one script run reads whole (five commands each: its hash and the sizes of its
 * two terms), and most it examines (a lookup of its trust level at most): about a millisecond of
 * Redis time each, measured with SLOWLOG.
 */
const CATALOG_ROWS_PER_CALL = 50;
const CATALOG_EXAMINED_PER_CALL = 500;

/**
 * The version of the data layout this code writes on an empty prefix; checkLayout compares it with
 * Redis's. Layout 3 added word prefixes to the text index (`search/word-prefixes.ts`): data of
 * layout 2 is read and written alike, but its older agents lack them, so searches there match
 * whole words only. Layout 4 leaves out the whole-word terms that layout 3 kept beside the prefix
 * terms of the same words; data of layout 3 is still written with them, so that every write finds
 * the memberships it moves.
 */
const STORE_LAYOUT = '6';
const LAYOUT_WITHOUT_PREFIXES = '2';
/** Layout 3 indexed words of prefixable length twice, whole (`tok:`) and as prefix terms; 4 by the latter only. */
const LAYOUT_WITH_WHOLE_WORD_TWINS = '3';
/**
 * Layout 4 keeps cards as plain text; 5 packs them (`stored-card.ts`). Data of layout 4 is still
 * written with plain cards: a replica of an earlier version may share it during a rolling update,
 * and it reads the hash's card as it is.
 */
const LAYOUT_WITH_PLAIN_CARDS = '4';
/**
 * Layout 5 keeps every large term in buckets; 6 keeps dense ones as bitmaps
 * ({@link IndexTuning.denseTermShare}). Data of layout 5 and earlier is still written in buckets
 * only, for the same reason: an earlier version would take a bitmap's count for no term at all.
 */
const LAYOUT_WITH_BUCKETS_ONLY = '5';
const READABLE_LAYOUTS = new Set([STORE_LAYOUT, LAYOUT_WITH_BUCKETS_ONLY, LAYOUT_WITH_PLAIN_CARDS, LAYOUT_WITH_WHOLE_WORD_TWINS, LAYOUT_WITHOUT_PREFIXES]);

/** The production store: one hash per agent, one set per index term, sorted sets for listing and liveness. */
export class RedisAgentStore implements AgentStore {
  readonly kind = 'redis';
  private readonly redis: Redis & RegistryCommands;
  /** Where the writes a client is answered for go: the replica wait's own connection when there is one. */
  private readonly writer: Redis & RegistryCommands;
  /** Sends saves to the writer in batches, one script run each. */
  private readonly saves: SaveBatches;
  /** The arguments that tell a script the term layout (`lua/lib/term-index.lua` reads them); set by checkLayout: buckets only until it has seen layout 6. */
  private termLayoutArgs: string[];
  /** The change log's stream and about how many events it keeps, for every writing script. */
  private readonly changeLogArgs: [string, string];
  /** The tombstones' sorted set and hash, for the scripts that remove or create agents (`lua/lib/changes.lua`). */
  private readonly tombstoneArgs: [string, string];
  /** Why the data under the prefix cannot be read, when checkLayout found it so. */
  private layoutProblem: string | undefined;
  /** Set by checkLayout: false until it has seen a layout whose every agent has its word prefixes indexed. */
  indexesWordPrefixes = false;
  /** Set by checkLayout: whether words of prefixable length are indexed by their prefix terms only (layouts 4 to 6). */
  private prefixOnlyWords = false;
  /** Set by checkLayout: whether cards are kept packed (layouts 5 and 6); every layout's reads take both forms. */
  private packsCards = false;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    /** Reads a stored card's index terms and summary: the hash keeps no copy of them. */
    private readonly cards: CardReader,
    /** Told of every failed command, for metrics. @defaultValue does nothing */
    private readonly onCommandError: (error: Error) => void = () => {},
    /** The index layout and search budgets. @defaultValue {@link DEFAULT_INDEX_TUNING} */
    private readonly tuning: Readonly<IndexTuning> = DEFAULT_INDEX_TUNING,
    /** Confirms each client write on replicas before it is answered as stored. @defaultValue none: no waiting */
    private readonly replicaWait?: ReplicaWait,
    /** About how many events the change log keeps. @defaultValue {@link DEFAULT_CHANGE_LOG_EVENTS} */
    changeLogEvents = DEFAULT_CHANGE_LOG_EVENTS,
    /** How saves are sent in batches (SaveBatches). @defaultValue its defaults: no one told, {@link DEFAULT_SAVE_BATCH_LIMITS} */
    saveBatching: SaveBatchOptions = {},
    /** The agent ids of the numbers searches found, kept by the replica; its owner makes it forget them when Redis may have given numbers again. @defaultValue an {@link AgentIdsByNumber} of its default size */
    private readonly knownIds = new AgentIdsByNumber(),
  ) {
    this.changeLogArgs = [keys.changes, String(changeLogEvents)];
    this.tombstoneArgs = [keys.tombstones, keys.tombstoneInfo];
    this.redis = defineScripts(redis);
    this.writer = replicaWait ? defineScripts(replicaWait.connection) : this.redis;
    this.saves = new SaveBatches((keys, args) => this.writer.saveAgents(keys.length, ...keys, ...args), saveBatching);
    if (tuning.bucketWidth % 8 !== 0) throw new Error(`The index's bucket width must be a multiple of 8, got ${tuning.bucketWidth}`);
    this.termLayoutArgs = this.termLayoutArgsWith(0);
  }

  /** The term layout's script arguments, with dense terms kept as bitmaps past `denseShare` (0: never). */
  private termLayoutArgsWith(denseShare: number): string[] {
    const k = this.keys;
    const shape = `${this.tuning.bucketWidth} ${this.tuning.smallTermMax} ${denseShare}`;
    return [k.smallTermPrefix, k.termBucketPrefix, k.largeTermCountPrefix, k.denseTermPrefix, shape, INACTIVE_TERM];
  }

  /**
   * Any failure of Redis itself (down, timed out, refusing) becomes a 503 that tells the client to
   * retry; so does data this version cannot read (see checkLayout), before any command is sent.
   * A `write` whose command may have reached Redis says that its outcome is unknown.
   */
  private async guard<T>(operation: () => Promise<T>, write = false): Promise<T> {
    if (this.layoutProblem) throw new UnavailableError(this.layoutProblem);
    try {
      return await operation();
    } catch (error) {
      if (error instanceof AppError) throw error;
      this.onCommandError(error as Error);
      throw write && mayHaveRun(error as Error) ? new WriteOutcomeUnknownError(error) : new StorageUnavailableError(error);
    }
  }

  /** Runs a pipeline and unwraps its replies; a failed command fails the whole read like any other Redis failure. */
  private async results(pipeline: ChainableCommander): Promise<unknown[]> {
    const replies = (await this.guard(() => pipeline.exec())) ?? [];
    return replies.map(([error, value]) => {
      if (error) throw new StorageUnavailableError(error);
      return value;
    });
  }

  /** With a replica wait, resolves once enough replicas hold the writes sent since `mark`; see ReplicaWait. */
  private async confirm(mark: number | undefined, what: string): Promise<void> {
    if (mark !== undefined) await this.replicaWait?.confirm(mark, what);
  }

  /** The keys every script that changes an agent's presence needs, in the order the scripts declare them. */
  private presenceKeys(id: string): string[] {
    const k = this.keys;
    return [k.agent(id), k.inactiveListing, k.revision, k.activeListing, k.livenessDeadlines, k.purgeDeadlines, k.refreshes];
  }

  /** A card as this data layout keeps it in the agent hash. */
  private keptCard(card: string): ScriptArg {
    return this.packsCards ? packCard(card) : card;
  }

  /** The memberships this data layout keeps of a card's index terms. */
  private indexedTerms(terms: string[]): string[] {
    return this.prefixOnlyWords ? this.cards.prefixOnlyTerms(terms) : terms;
  }

  /** The packed index terms of the record stored under `id`, and the revision they belong to. */
  private async storedTerms(id: string): Promise<StoredTerms> {
    const [card, meta, revision, hosts] = cardAndFields(
      await this.guard(() => this.redis.hmgetBuffer(this.keys.agent(id), 'card', 'meta', 'revision', 'hosts')),
    );
    if (card == null || meta == null || revision == null) return NO_STORED_TERMS;
    const terms = this.indexedTerms(this.cards.termsOf(card, JSON.parse(meta) as KeptSummary));
    // A record written before cards had host terms (it keeps no hosts) is in none of them: its
    // next write must add them rather than take them for memberships it has.
    return { packed: packTerms(hosts == null ? terms.filter((term) => !term.startsWith(HOST_TERM_PREFIX)) : terms), revision };
  }

  /**
   * Runs a write script that moves a record's index memberships. The script refuses ('retry') when
   * the record changed after its old terms were derived; they are then derived again, a bounded
   * number of times. `assumeNew` skips the first read, for writes that mostly create.
   */
  private async withStoredTerms(id: string, assumeNew: boolean, run: (stored: StoredTerms) => Promise<ScriptReply>): Promise<ScriptReply> {
    let stored = assumeNew ? NO_STORED_TERMS : await this.storedTerms(id);
    for (let attempt = 1; ; attempt++) {
      const reply = await this.guard(() => run(stored), true);
      if (reply[0] !== 'retry') return reply;
      if (attempt === MAX_WRITE_ATTEMPTS) throw new UnavailableError(`Agent ${id} kept changing during the write; try again`);
      stored = await this.storedTerms(id);
    }
  }

  /**
   * The arguments that tell a write script its idempotency claim (key, seconds, the outcome's lines
   * known before the write), or that it has none.
   */
  private claimArgs(claim: IdempotencyClaim | undefined, known: (claim: IdempotencyClaim) => string): [string, string, string] {
    return claim ? [this.keys.keptOutcome(claim.key), String(claim.ttlSeconds), known(claim)] : ['', '0', ''];
  }

  /** The arguments that let a script find the number -> id hash of an agent number. */
  private agentIdsArgs(): [string, string] {
    return [this.keys.agentIdsPrefix, String(AGENT_NUMBERS_PER_BUCKET)];
  }

  /** The arguments that tell a removing script where the probe schedule is (`lua/lib/probe-schedule.lua`). */
  private probeScheduleArgs(): [string, string, string] {
    return [this.keys.probeDue, this.keys.probeClaims, this.keys.probeAtPrefix];
  }

  /** The arguments that tell a write script where the extension catalog is (`lua/lib/extension-catalog.lua`). */
  private catalogArgs(): [string, string] {
    return [this.keys.extensionCatalog, this.keys.extensionInfoPrefix];
  }

  async save(write: AgentWrite, options: SaveOptions = {}): Promise<SaveResult> {
    const meta = JSON.stringify(keptSummaryOf(write.summary));
    const indexed = this.indexedTerms(write.terms);
    const terms = packTerms(indexed);
    // Packed once: a write that must derive the stored terms again sends the same card.
    const card = this.keptCard(write.card);
    const mark = this.replicaWait?.mark();
    const keys = [...this.presenceKeys(write.id), this.keys.agentNumbers, this.keys.domainOwners];
    const reply = await this.withStoredTerms(write.id, true, async (stored) => {
      const args = [
        write.id,
        options.expectedRevision === undefined ? '' : String(options.expectedRevision),
        options.mustNotExist ? '1' : '0',
        card,
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
        ...this.claimArgs(options.idempotency, (claim) => knownOfSave(claim, write)),
        this.keys.agentPrefix,
        this.keys.idCasePrefix,
        nameDigestOf(write.summary.name),
        options.sameNameRequired ? '1' : '0',
        ...this.changeLogArgs,
        JSON.stringify(write.summary),
        write.changeKind ?? '',
        write.hosts.join(' '),
        ...this.catalogArgs(),
        this.keys.changedAgents,
        ...this.tombstoneArgs,
        write.airIdentifier ?? '',
        this.keys.probeDue,
        this.keys.probeAtPrefix,
      ];
      return (await this.saves.save({ keys, args, terms: indexed.length })) as ScriptReply;
    });
    const [outcome, revision, createdAt, created, ttl, owner, domainVerified, ls, lm, lt, air] = reply;
    if (outcome === 'replay') return keptFor(keptOutcomeOf(revision as string), options.idempotency, 'saved').saved;
    // A refusal that names something (the proven domain, the id held in another case) has it where a success has its createdAt.
    if (outcome !== 'ok') throw refusedWrite(outcome as RefusedOutcome, write.id, Number(revision), createdAt);
    await this.confirm(mark, `Agent '${write.id}' revision ${revision}`);
    const record: AgentRecord = {
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
      ...(air ? { airIdentifier: air } : {}),
      domainVerified: domainVerified === '1',
      lifecycle: lifecycleOf(ls, lm, lt),
    };
    return { created: created === '1', record };
  }

  async get(id: string): Promise<AgentRecord | null> {
    const values = await this.guard(() => this.redis.hmgetBuffer(this.keys.agent(id), ...RECORD_FIELDS));
    return toRecord(id, values, this.cards);
  }

  async getMany(ids: readonly string[]): Promise<AgentRecord[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hmgetBuffer(this.keys.agent(id), ...RECORD_FIELDS);
    const replies = await this.results(pipeline);
    return replies.flatMap((values, index) => toRecord(ids[index] as string, values as (Buffer | null)[], this.cards) ?? []);
  }

  async delete(id: string, expectedRevision?: number, actor?: Actor, idempotency?: IdempotencyClaim): Promise<number> {
    const mark = this.replicaWait?.mark();
    const [outcome, revision] = await this.withStoredTerms(id, false, (stored) =>
      this.writer.deleteAgent(
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
        ...this.claimArgs(idempotency, (claim) => knownOfDelete(claim, id)),
        this.keys.idCasePrefix,
        ...this.changeLogArgs,
        ...this.catalogArgs(),
        this.keys.changedAgents,
        ...this.tombstoneArgs,
        DEPRECATED_TERM,
        ...this.probeScheduleArgs(),
      ),
    );
    if (outcome === 'replay') return keptFor(keptOutcomeOf(revision as string), idempotency, 'deleted').revision;
    if (outcome !== 'ok') throw refusedWrite(outcome as RefusedOutcome, id, Number(revision));
    await this.confirm(mark, `The deletion of agent '${id}'`);
    return Number(revision);
  }

  async setLifecycle(id: string, change: LifecycleChange): Promise<{ revision: number; lifecycle: Lifecycle }> {
    const k = this.keys;
    const mark = this.replicaWait?.mark();
    const [outcome, revision] = await this.guard(
      () =>
        this.writer.setLifecycle(
          k.agent(id),
          k.revision,
          id,
          change.expectedRevision === undefined ? '' : String(change.expectedRevision),
          ...actorArgs(change.actor),
          change.status,
          change.message ?? '',
          String(change.now.getTime()),
          k.invalidations,
          ...this.changeLogArgs,
          k.changedAgents,
          ...this.termLayoutArgs,
          DEPRECATED_TERM,
        ),
      true,
    );
    if (outcome !== 'ok') throw refusedWrite(outcome as RefusedOutcome, id, Number(revision));
    await this.confirm(mark, `The lifecycle change of agent '${id}'`);
    const lifecycle: Lifecycle = { status: change.status, ...(change.message ? { message: change.message } : {}), changedAt: change.now.toISOString() };
    return { revision: Number(revision), lifecycle };
  }

  async changedSince(since: number, after: ChangedPosition | undefined, limit: number, includeDeleted: boolean): Promise<ChangedPage> {
    const k = this.keys;
    const [total, ...flat] = await this.guard(() =>
      this.redis.changedSince(
        k.changedAgents,
        k.tombstones,
        k.tombstoneInfo,
        String(since),
        after ? String(after.at) : '',
        after?.kind ?? '',
        after?.key ?? '',
        String(limit),
        includeDeleted ? '1' : '0',
        ...this.agentIdsArgs(),
      ),
    );
    const entries: ChangedEntry[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      const [kind, at, key, detail] = [flat[i] as 'a' | 'd', Number(flat[i + 1]), flat[i + 2] as string, flat[i + 3] as string];
      const position = { at, kind, key };
      if (kind === 'a') {
        entries.push({ position, kind: 'agent', id: detail });
        continue;
      }
      const space = detail.indexOf(' ');
      const tombstone = { id: key, revision: Number(detail.slice(0, space)), deletedAt: new Date(at).toISOString(), owner: detail.slice(space + 1) };
      entries.push({ position, kind: 'deleted', tombstone });
    }
    return { entries, total: Number(total) };
  }

  sweepTombstones(before: Date, limit: number): Promise<number> {
    return this.guard(() => this.redis.sweepTombstones(this.keys.tombstones, this.keys.tombstoneInfo, String(before.getTime()), String(limit)), true);
  }

  async keptOutcome(claim: IdempotencyClaim): Promise<KeptOutcome | null> {
    const kept = await this.guard(() => this.redis.get(this.keys.keptOutcome(claim.key)));
    return kept === null ? null : keptOutcomeOf(kept);
  }

  async numberedIds(from: number, count: number): Promise<NumberedIds> {
    const first = Math.max(1, from);
    const numbers = Array.from({ length: Math.max(0, from + count - first) }, (_, i) => first + i);
    const pipeline = this.redis.pipeline().get(this.keys.agentNumbers);
    const idsIn = this.readIdsInto(pipeline, numbers);
    const [last, ...replies] = await this.results(pipeline);
    const ids = idsIn(replies);
    const agents = numbers.flatMap((agentNumber, i) => (ids[i] ? [{ agentNumber, id: ids[i] as string }] : []));
    return { agents, lastNumber: Number(last ?? 0) };
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
    const [flat, stoppedTier, stoppedAt, total, exact, work, counter] = await this.guard(() =>
      this.redis.searchAgents(
        k.agentNumbers,
        ...this.termLayoutArgs,
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
        DEPRECATED_TERM,
        search.estimate === undefined ? '' : String(search.estimate),
        ...search.terms,
        ...search.preferred,
      ),
    );
    search.onWalked?.();
    this.knownIds.sawCounter(Number(counter));
    const positions: SearchPosition[] = [];
    for (let i = 0; i < flat.length; i += 2) positions.push({ tier: Number(flat[i]), agentNumber: Number(flat[i + 1]) });
    const ids = await this.idsOf(positions.map((position) => position.agentNumber));
    // A number whose agent was deleted since the walk has no id left: its hit goes.
    const hits: SearchHit[] = positions.flatMap((position, i) => (ids[i] ? [{ id: ids[i] as string, position }] : []));
    return {
      hits,
      ...(stoppedTier !== '' ? { stoppedAt: { tier: Number(stoppedTier), agentNumber: Number(stoppedAt) } } : {}),
      total: Number(total),
      totalExact: exact === '1',
      work: Number(work),
    };
  }

  /** The ids of agent numbers, null where none: those the replica knows, and the others read from their number -> id hashes in one round trip. */
  private async idsOf(numbers: readonly number[]): Promise<(string | null)[]> {
    const ids = numbers.map((agentNumber) => this.knownIds.get(agentNumber) ?? null);
    const unknown = numbers.filter((_, i) => ids[i] === null);
    if (unknown.length === 0) return ids;
    const pipeline = this.redis.pipeline();
    const idsIn = this.readIdsInto(pipeline, unknown);
    const read = idsIn(await this.results(pipeline));
    const readByNumber = new Map(unknown.map((agentNumber, i) => [agentNumber, read[i] ?? null]));
    for (const [agentNumber, id] of readByNumber) if (id) this.knownIds.remember(agentNumber, id);
    return numbers.map((agentNumber, i) => ids[i] ?? readByNumber.get(agentNumber) ?? null);
  }

  /**
   * Adds to `pipeline` one HMGET per number -> id hash that `numbers` fall in
   * (AGENT_NUMBERS_PER_BUCKET each); answers how to read their ids, in the order of `numbers`,
   * from the pipeline's replies from there on.
   */
  private readIdsInto(pipeline: ChainableCommander, numbers: readonly number[]): (replies: unknown[]) => (string | null)[] {
    const byBucket = new Map<string, number[]>();
    for (const agentNumber of numbers) {
      const bucket = this.keys.agentIds(agentNumber);
      const inBucket = byBucket.get(bucket);
      if (inBucket) inBucket.push(agentNumber);
      else byBucket.set(bucket, [agentNumber]);
    }
    for (const [bucket, inBucket] of byBucket) pipeline.hmget(bucket, ...inBucket.map(String));
    return (replies) => {
      const ids = new Map<number, string | null>();
      [...byBucket.values()].forEach((inBucket, b) => inBucket.forEach((agentNumber, i) => ids.set(agentNumber, (replies[b] as (string | null)[])[i] ?? null)));
      return numbers.map((agentNumber) => ids.get(agentNumber) ?? null);
    };
  }

  /**
   * A page of the catalog, in as many script runs as it takes: each returns at most
   * {@link CATALOG_ROWS_PER_CALL} entries and examines at most {@link CATALOG_EXAMINED_PER_CALL},
   * so that no run holds Redis for long (a page of 1,000 entries is twenty), and the runs together
   * examine at most EXTENSION_WALK_BUDGET.
   */
  async listExtensions(query: ExtensionQuery): Promise<ExtensionPage> {
    const entries: ExtensionEntry[] = [];
    let after = query.after ?? '';
    let work = 0;
    for (;;) {
      const wanted = Math.min(CATALOG_ROWS_PER_CALL, query.wanted - entries.length);
      const budget = Math.min(CATALOG_EXAMINED_PER_CALL, EXTENSION_WALK_BUDGET - work);
      const [rows, stoppedAt, catalogSize, examined] = await this.guard(() =>
        this.redis.listExtensions(...this.catalogArgs(), ...this.termLayoutArgs, after, String(wanted), String(budget), query.uriContains ?? '', query.trustLevels.join(' ')),
      );
      const found = extensionEntriesOf(rows);
      entries.push(...found);
      work += examined;
      const done = { entries, catalogSize, work };
      if (entries.length === query.wanted) return done;
      // The run ended with the catalog, short of its rows and its budget: nothing follows.
      if (!stoppedAt && found.length < wanted) return done;
      after = stoppedAt || (found.at(-1)?.uri as string);
      if (work >= EXTENSION_WALK_BUDGET) return { ...done, stoppedAt: after };
    }
  }

  /** The entries of `uris`, {@link CATALOG_ROWS_PER_CALL} to a script run. */
  async getExtensions(uris: readonly string[]): Promise<ExtensionEntry[]> {
    const entries: ExtensionEntry[] = [];
    for (let from = 0; from < uris.length; from += CATALOG_ROWS_PER_CALL) {
      const chunk = uris.slice(from, from + CATALOG_ROWS_PER_CALL);
      entries.push(...extensionEntriesOf(await this.guard(() => this.redis.readExtensions(...this.catalogArgs(), ...this.termLayoutArgs, ...chunk))));
    }
    return entries;
  }

  async setExtensionTrust(uri: string, level: TrustLevel): Promise<ExtensionEntry | null> {
    const row = await this.guard(() => this.writer.setExtensionTrust(...this.catalogArgs(), ...this.termLayoutArgs, uri, level), true);
    return extensionEntriesOf(row)[0] ?? null;
  }

  async count(includeInactive = false): Promise<number> {
    if (!includeInactive) return this.guard(() => this.redis.zcard(this.keys.activeListing));
    const counts = await this.results(this.redis.pipeline().zcard(this.keys.activeListing).zcard(this.keys.inactiveListing));
    return (counts[0] as number) + (counts[1] as number);
  }

  async heartbeat(id: string, now: Date, actor?: Actor): Promise<HeartbeatResult> {
    const k = this.keys;
    const mark = this.replicaWait?.mark();
    const [outcome, revision, deadline] = await this.guard(() => 
      this.writer.heartbeatAgent(
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
        ...this.changeLogArgs,
        k.changedAgents,
      ),
      true,
    );
    if (outcome === 'missing' || outcome === 'forbidden') throw refusedWrite(outcome, id, Number(revision));
    await this.confirm(mark, `The heartbeat of agent '${id}'`);
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
        ...this.changeLogArgs,
        k.changedAgents,
      ),
      true,
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
          k.idCasePrefix,
          ...this.changeLogArgs,
          ...this.catalogArgs(),
          k.changedAgents,
          ...this.tombstoneArgs,
          DEPRECATED_TERM,
          ...this.probeScheduleArgs(),
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
    await this.guard(() => this.redis.zadd(this.keys.refreshes, 'XX', at.getTime(), id), true);
  }

  async claimProbes(now: Date, limit: number, leaseMs: number): Promise<ProbeClaim> {
    const k = this.keys;
    const [lag, ...ids] = await this.guard(
      () =>
        this.redis.claimProbes(k.probeDue, k.probeClaims, String(now.getTime()), String(limit), String(now.getTime() + leaseMs), k.probeAtPrefix, ...this.agentIdsArgs()),
      true,
    );
    return { ids, lagMs: Number(lag) };
  }

  async recordProbe(id: string, outcome: ProbeOutcome, nextAt: Date): Promise<ProbeRecorded> {
    const k = this.keys;
    const [kind, revision] = await this.guard(
      () =>
        this.redis.recordProbe(
          k.agent(id),
          k.revision,
          k.probeDue,
          k.probeClaims,
          id,
          outcome.result.status,
          encodeProbeDetail(outcome),
          String(nextAt.getTime()),
          String(Date.parse(outcome.result.checkedAt)),
          k.invalidations,
          ...this.changeLogArgs,
          k.changedAgents,
          ...this.termLayoutArgs,
          k.probeAtPrefix,
        ),
      true,
    );
    return kind === 'missing' ? { kind } : { kind: kind as 'same' | 'changed', revision: Number(revision) };
  }

  async scheduleProbe(id: string, at: Date): Promise<void> {
    const k = this.keys;
    await this.guard(() => this.redis.scheduleProbe(k.agent(id), k.probeDue, k.probeClaims, String(at.getTime()), k.probeAtPrefix), true);
  }

  async settleDomainAgents(ids: readonly string[], now: Date, reason: string): Promise<SettledAgent[]> {
    if (ids.length === 0) return [];
    const k = this.keys;
    const mark = this.replicaWait?.mark();
    const flat = await this.guard(
      () => this.writer.settleDomainAgents(
          k.domainOwners,
          k.revision,
          k.agentPrefix,
          k.invalidations,
          String(now.getTime()),
          reason,
          String(MAX_OWNER_CHANGES),
          ...this.changeLogArgs,
          k.changedAgents,
          ...ids,
        ),
      true,
    );
    const settled: SettledAgent[] = [];
    for (let i = 0; i < flat.length; i += 4) {
      settled.push({ id: flat[i] as string, revision: Number(flat[i + 1]), owner: flat[i + 2] as string, ownerChanged: flat[i + 3] === '1' });
    }
    await this.confirm(mark, `The domain settlement of ${settled.length} agents`);
    return settled;
  }

  async previousCard(id: string): Promise<PreviousCard | null> {
    const [card, revision] = cardAndFields(await this.guard(() => this.redis.hmgetBuffer(this.keys.agent(id), 'prevCard', 'prevRevision')));
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
    let found = layout?.[1] as string | null;
    if (found === null && !earlier?.[1]) {
      // Another process may mark the empty prefix first: what is there then is what counts.
      await this.redis.set(k.layout, STORE_LAYOUT, 'NX');
      found = await this.redis.get(k.layout);
    }
    if (found !== null && READABLE_LAYOUTS.has(found) && !earlier?.[1]) {
      this.layoutProblem = undefined;
      this.indexesWordPrefixes = found !== LAYOUT_WITHOUT_PREFIXES;
      this.prefixOnlyWords = found === STORE_LAYOUT || found === LAYOUT_WITH_BUCKETS_ONLY || found === LAYOUT_WITH_PLAIN_CARDS;
      this.packsCards = found === STORE_LAYOUT || found === LAYOUT_WITH_BUCKETS_ONLY;
      this.termLayoutArgs = this.termLayoutArgsWith(found === STORE_LAYOUT ? this.tuning.denseTermShare : 0);
    } else {
      this.layoutProblem =
        `Redis holds agents under this prefix in a data layout this version cannot read (layout ${found ?? 'of an earlier version'}, this version writes ${STORE_LAYOUT}); ` +
        'point REDIS_PREFIX at an empty prefix, or empty this one, and register the agents again';
    }
    return this.layoutProblem;
  }

  /**
   * The token of the data set under the prefix, written first by whichever process asks first:
   * a different token than before means Redis lost its data (a restart without persistence, a
   * failover to an empty replica, FLUSHALL) and everything remembered of it is wrong.
   */
  async datasetEpoch(): Promise<string> {
    const [, epoch] = await this.results(this.redis.pipeline().set(this.keys.epoch, randomUUID(), 'NX').get(this.keys.epoch));
    return String(epoch);
  }

  async readChanges(after: string | undefined, limit: number): Promise<ChangeRead> {
    const [epoch, last, trimmedThrough, entries] = await this.guard(() =>
      this.redis.readChanges(this.keys.changes, this.keys.epoch, after ?? '', String(limit), randomUUID()),
    );
    return { epoch, last, trimmedThrough, events: entries.map(([position, fields]) => storedChangeOf(position, fields)) };
  }

  /**
   * A mirror's step (`src/follow/`): the change as the source made it, and the mirror's position,
   * in one script run (`lua/mirror-agent.lua`), under the mirror's lock.
   */
  async mirror(step: MirrorStep): Promise<MirrorOutcome> {
    const k = this.keys;
    const { change } = step;
    const id = change?.kind === 'put' ? change.record.id : (change?.id ?? '');
    const put = change?.kind === 'put' ? change : undefined;
    const record = put?.record;
    const kept = record ? keptSummaryOf(record.summary) : undefined;
    const revision = record?.revision ?? (change?.kind === 'remove' ? change.revision : undefined);
    const card = record ? this.keptCard(record.card) : '';
    const [outcome] = await this.withStoredTerms(id, !change, async (stored) =>
      this.redis.mirrorAgent(
        ...this.presenceKeys(id),
        k.agentNumbers,
        k.mirrorLock,
        k.mirrorPosition,
        id,
        change?.kind ?? 'none',
        step.lockToken,
        step.position?.cursor ?? '',
        step.position?.source ?? '',
        k.invalidations,
        ...this.changeLogArgs,
        ...this.agentIdsArgs(),
        stored.packed,
        stored.revision,
        ...this.termLayoutArgs,
        k.idCasePrefix,
        ...this.catalogArgs(),
        revision === undefined ? '' : String(revision),
        put?.newerOnly === false ? '0' : '1',
        change?.changeKind ?? '',
        String(step.at.getTime()),
        card,
        kept ? JSON.stringify(kept) : '',
        record ? packTerms(this.indexedTerms(record.terms)) : '',
        record ? String(Date.parse(record.createdAt)) : '',
        record ? String(Date.parse(record.updatedAt)) : '',
        record?.status ?? '',
        String(record?.ttlSeconds ?? 0),
        record?.sourceUrl ?? '',
        record?.previousRevision === undefined ? '' : String(record.previousRevision),
        record?.domainVerified ? '1' : '0',
        record?.ownerChanges ? JSON.stringify(record.ownerChanges.map((c) => ({ ...c, at: Date.parse(c.at) }))) : '',
        record?.hosts.join(' ') ?? '',
        record ? nameDigestOf(record.summary.name) : '',
        put && (put.changeKind === undefined || CARD_CHANGES.has(put.changeKind)) ? JSON.stringify(record?.summary) : '',
        put?.snapshotMark ?? '',
        k.changedAgents,
        ...this.tombstoneArgs,
        DEPRECATED_TERM,
        record?.lifecycle.status === 'deprecated' ? 'deprecated' : '',
        record?.lifecycle.message ?? '',
        record?.lifecycle.changedAt ? String(Date.parse(record.lifecycle.changedAt)) : '',
        record?.airIdentifier ?? '',
      ),
    );
    return outcome as MirrorOutcome;
  }

  /** The snapshot mark of each of `ids` (`mirror`), in order: null where there is none. */
  async mirrorMarks(ids: readonly string[]): Promise<(string | null)[]> {
    if (ids.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of ids) pipeline.hget(this.keys.agent(id), 'ms');
    return (await this.results(pipeline)) as (string | null)[];
  }

  /** Both connections when writes have their own: the process is ready only when it can write too. */
  async ping(): Promise<void> {
    await this.guard(() => Promise.all([...new Set([this.redis, this.writer])].map((redis) => redis.ping())));
  }

  async close(): Promise<void> {
    await Promise.all([...new Set([this.redis, this.writer])].map(closeRedis));
  }
}
