import { ChangesGoneError } from '../errors.js';
import type { AgentRecord, CardReader } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import { comparePositions, START_POSITION, type ChangeRead, type StoredChange } from '../store/change-log.js';
import { decodeChangeCursor, encodeChangeCursor, epochTagOf } from './change-cursor.js';
import type { ChangesRequest } from './change-requests.js';
import { SingleFlight } from './single-flight.js';
import { probeTerm } from '../store/probe-outcome.js';

/** Events a filtered read looks through at most: a page of rare events ends early, with a cursor to go on. */
const FILTERED_SCAN = 1000;
/**
 * Events a read with structured filters looks through at most: each distinct agent among them is
 * read (mostly from the replica's cache) to check its card.
 */
const STRUCTURED_SCAN = 200;
/**
 * Kinds that change what filters see (the card, the probe status): an agent that no longer matches
 * may have matched before such a change.
 */
const CHANGED_CARD = new Set(['updated', 'refreshed', 'probe_changed']);
/** Kinds that remove an agent: the card it had is no longer there to check. */
const REMOVED = new Set(['deleted', 'purged']);

/** One event as readers get it, with the card it wrote while that is still the agent's current card. */
export interface ChangeEvent extends StoredChange {
  cursor: string;
  /** The card this event wrote, exactly as stored; absent when not asked for or no longer current. */
  card?: string;
  /** Set when the event wrote a card that a later change replaced: a later event carries the newer state. */
  cardSuperseded?: boolean;
  /**
   * Under structured filters: whether the agent's current card holds them. False on a card change
   * of an agent that does not (it may have before): a reader that holds the agent drops it.
   */
  filterMatch?: boolean;
}

export interface ChangePage {
  events: ChangeEvent[];
  /** Where to go on from: after the last event returned, or after the last one looked through. */
  nextCursor: string;
  /** Whether more events were kept after `nextCursor` when the page was read. */
  hasMore: boolean;
}

const WROTE_CARD = new Set(['registered', 'updated', 'refreshed']);

/** Reads the change log: pages for `GET /changes` and `list_changes`, and the cursor of a snapshot. */
export class ChangeService {
  /** Pages being read, shared by the readers that ask for the same one meanwhile (streams woken by one write). */
  private readonly pages = new SingleFlight<ChangePage>();
  /** Reads of the log being made, shared by pages with other filters from the same position. */
  private readonly reads = new SingleFlight<ChangeRead>();

  /** The index terms of records the filters checked, while the record objects live. */
  private readonly recordTerms = new WeakMap<AgentRecord, ReadonlySet<string>>();

  constructor(
    private readonly store: AgentStore,
    /** Derives a stored card's index terms, for the structured filters. */
    private readonly cards: CardReader,
    /**
     * The change log position through which the replica's cache has applied every change, while
     * it has a cache in use. @defaultValue none: every read goes to the store
     */
    private readonly cacheCoveredThrough: () => string | undefined = () => undefined,
  ) {}

  /**
   * A page of events after `request.since`; `at` names where the cursor came from, for errors.
   * Callers asking for the same page while it is read share that one read.
   */
  page(request: ChangesRequest, at = '$.since'): Promise<ChangePage> {
    const { since, limit, agentIds, kinds, includeCard, requiredTerms } = request;
    return this.pages.run(JSON.stringify([at, since, limit, agentIds, kinds, includeCard, requiredTerms]), () => this.readPage(request, at));
  }

  private async readPage(request: ChangesRequest, at: string): Promise<ChangePage> {
    const since = request.since === undefined ? undefined : decodeChangeCursor(request.since, at);
    const structured = request.requiredTerms.length > 0;
    const filtered = structured || request.agentIds.length > 0 || request.kinds.length > 0;
    const count = filtered ? Math.max(structured ? STRUCTURED_SCAN : FILTERED_SCAN, request.limit) : request.limit;
    const read = await this.reads.run(`${since?.position ?? ''} ${count}`, () => this.store.readChanges(since?.position, count));
    if (since) assertKept(since.position, since.epochTag, read);
    const agentIds = new Set(request.agentIds);
    const kinds = new Set(request.kinds);
    const selected = read.events.filter((e) => (agentIds.size === 0 || agentIds.has(e.agentId)) && (kinds.size === 0 || kinds.has(e.kind)));
    // Under structured filters the agents' current records are read once, to judge and to attach cards.
    const records = structured ? await this.currentRecords(selected) : new Map<string, AgentRecord>();
    const wanted = structured ? this.heldFilters(selected, request.requiredTerms, records) : selected;
    const shown = wanted.slice(0, request.limit);
    // Past the last event shown, or past every event looked through when none of them was wanted.
    const lastRead = shown.length === request.limit || !filtered ? shown.at(-1) : read.events.at(-1);
    const next = lastRead?.position ?? since?.position ?? START_POSITION;
    return {
      events: await this.withCards(shown, read.epoch, request.includeCard, records),
      nextCursor: encodeChangeCursor(next, read.epoch),
      hasMore: comparePositions(next, read.last) < 0,
    };
  }

  /**
   * A cursor to follow the log from after reading a listing: no later than any change the
   * listing's records may not show yet. Taken before the listing is read, it is the log's end, or
   * less when the replica's cache has not applied every change up to it.
   */
  async snapshotCursor(): Promise<string> {
    const { epoch, last } = await this.store.readChanges(undefined, 0);
    const covered = this.cacheCoveredThrough();
    return encodeChangeCursor(covered !== undefined && comparePositions(covered, last) < 0 ? covered : last, epoch);
  }

  /**
   * The events whose agent's current card holds `required`, marked so; card changes of agents whose
   * card does not, marked so; and removals, whose agent's card is gone. Judged by the current card,
   * a reader that applies them in order ends up with exactly the agents that match.
   */
  private heldFilters(events: StoredChange[], required: readonly string[], records: ReadonlyMap<string, AgentRecord>): FilteredChange[] {
    const kept: FilteredChange[] = [];
    for (const event of events) {
      const record = records.get(event.agentId);
      // A removal always passes: an agent of that id stored since may be another, with another card.
      if (REMOVED.has(event.kind)) kept.push(event);
      if (!record || REMOVED.has(event.kind)) continue;
      const filterMatch = holds(this.termsOf(record), required);
      if (filterMatch || CHANGED_CARD.has(event.kind)) kept.push({ ...event, filterMatch });
    }
    return kept;
  }

  /** A record's index terms, derived once per record object (the cache hands out one per revision). */
  private termsOf(record: AgentRecord): ReadonlySet<string> {
    let terms = this.recordTerms.get(record);
    if (!terms) {
      const probed = record.probe ? [probeTerm(record.probe.result.status)] : [];
      this.recordTerms.set(record, (terms = new Set([...this.cards.termsOf(record.card, record.summary), ...probed])));
    }
    return terms;
  }

  /** The stored records of the events' agents, by id (an agent removed since has none). */
  private async currentRecords(events: readonly StoredChange[], known: ReadonlyMap<string, AgentRecord> = new Map()): Promise<Map<string, AgentRecord>> {
    const missing = [...new Set(events.map((e) => e.agentId))].filter((id) => !known.has(id));
    const records = new Map(known);
    for (const record of await this.store.getMany(missing)) records.set(record.id, record);
    return records;
  }

  /** `known`: records already read for this page, which need not be read again. */
  private async withCards(events: FilteredChange[], epoch: string, includeCard: boolean, known: ReadonlyMap<string, AgentRecord>): Promise<ChangeEvent[]> {
    const wrote = includeCard ? events.filter((e) => WROTE_CARD.has(e.kind) && e.filterMatch !== false) : [];
    const current = await this.currentRecords(wrote, known);
    // A replica's cache may not have applied the event yet: such a record is read again from the store.
    for (const event of events) {
      const record = current.get(event.agentId);
      if (includeCard && record && record.revision < event.revision) {
        const fresh = await this.store.get(event.agentId, event.revision);
        if (fresh) current.set(fresh.id, fresh);
      }
    }
    return events.map((event) => {
      const cursor = encodeChangeCursor(event.position, epoch);
      if (!includeCard || !WROTE_CARD.has(event.kind) || event.filterMatch === false) return { ...event, cursor };
      const record = current.get(event.agentId);
      return record?.revision === event.revision ? { ...event, cursor, card: record.card } : { ...event, cursor, cardSuperseded: true };
    });
  }
}

/** A change with what the structured filters found of its agent, when there are any. */
type FilteredChange = StoredChange & { filterMatch?: boolean };

function holds(terms: ReadonlySet<string>, required: readonly string[]): boolean {
  return required.every((term) => terms.has(term));
}

/** Refuses a cursor whose next events the log no longer holds: trimmed away, or of a data set that was lost. */
function assertKept(position: string, epochTag: string, read: ChangeRead): void {
  if (epochTag !== epochTagOf(read.epoch)) {
    throw new ChangesGoneError(
      'This cursor belongs to a data set the registry no longer has (its Redis lost its data): read GET /agents again and follow from its change_cursor',
    );
  }
  if (comparePositions(position, read.trimmedThrough) < 0) {
    throw new ChangesGoneError(
      'Events after this cursor are no longer kept (CHANGE_LOG_EVENTS): read GET /agents again and follow from its change_cursor',
    );
  }
}
