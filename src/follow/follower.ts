import { randomBytes, randomUUID } from 'node:crypto';
import type { Counter } from 'prom-client';
import type { FollowSettings } from '../config/config.js';
import type { Logger } from '../logger.js';
import type { IdPage } from '../store/agent-record.js';
import type { MirrorOutcome, MirrorStep, MirroredRecord } from '../store/mirror-write.js';
import type { MirrorPosition } from '../store/redis-mirror-state.js';
import { SourceGoneError, SourceUnavailableError, type SourceAgent, type SourceClient, type SourceEvent } from './source-client.js';
import { filterOf, mirroredRecordOf } from './source-record.js';

/**
 * How long the lock is held without being renewed: a follower that died is replaced after this. It
 * is renewed at every step and every third of it while idle, so only a process stalled this long loses it.
 */
const LOCK_LEASE_MS = 10_000;
/** How often a process that does not hold the lock asks for it again. */
const STANDBY_RETRY_MS = 1_000;
/** Agents of one page of events read from the source at once. */
const AGENT_READS_AT_ONCE = 8;
/** The first wait after a failure; each further one doubles, up to `retryMaxSeconds`. */
const FIRST_RETRY_MS = 500;
/** Local ids read per page of the sweep that removes what a snapshot lacks. */
const SWEEP_PAGE = 200;

const REMOVALS = new Set(['deleted', 'purged']);

/** What a mirror writes to: its records and position (`RedisAgentStore`), its lock (`RedisMirrorState`). */
export interface MirrorTarget {
  mirror(step: MirrorStep): Promise<MirrorOutcome>;
  mirrorMarks(ids: readonly string[]): Promise<(string | null)[]>;
  listPage(after: string | undefined, limit: number, includeInactive: boolean): Promise<IdPage>;
}
export interface MirrorLock {
  hold(token: string, leaseMs: number): Promise<boolean>;
  release(token: string): Promise<void>;
  position(): Promise<MirrorPosition | undefined>;
  forgetPosition(): Promise<void>;
}

/** What a mirror is doing: `standby` while another process follows. */
export type MirrorPhase = 'starting' | 'standby' | 'snapshot' | 'following';

/** The mirror's state, for `/ready` and the metrics. */
export interface MirrorStatus {
  source: string;
  phase: MirrorPhase;
  sourceUp: boolean;
  /** Seconds since it last reached the end of the source's change log; 0 while it is there. */
  lagSeconds: number;
  /** The source's cursor it has applied every event up to. */
  cursor: string | undefined;
}

/** Thrown when the lock was lost: another process follows now. */
class LockLostError extends Error {}

/**
 * Keeps this registry a mirror of another (`FOLLOW_URL`): holds the mirror's lock, reads a snapshot
 * (every listing page, then removes what it lacks), then follows the source's change log page by
 * page, each event applied with the position after it in one atomic step (`lua/mirror-agent.lua`).
 * A restart resumes from the stored position; a 410 starts a snapshot again; a source that does not
 * answer is tried again after waits that double up to `retryMaxSeconds`, with one warning per outage.
 */
export class Follower {
  private readonly token = randomUUID();
  /** The source and filter the stored position must belong to: another means a new snapshot. */
  private readonly sourceTag: string;
  private readonly matches: (record: MirroredRecord) => boolean;
  private phase: MirrorPhase = 'starting';
  private sourceUp = true;
  private cursor: string | undefined;
  private caughtUpAt = Date.now();
  private atEnd = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private wake: () => void = () => {};

  constructor(
    private readonly source: SourceClient,
    private readonly target: MirrorTarget,
    private readonly lock: MirrorLock,
    private readonly settings: FollowSettings,
    private readonly logger: Logger,
    /** Counts each event applied. */
    private readonly applied: Pick<Counter, 'inc'>,
  ) {
    this.sourceTag = settings.filter ? `${settings.url}?${settings.filter}` : settings.url;
    this.matches = filterOf(settings.filter);
  }

  status(): MirrorStatus {
    return {
      source: this.settings.url,
      phase: this.phase,
      sourceUp: this.sourceUp,
      // A process that stands by is behind nothing: the one that follows tells the lag.
      lagSeconds: this.atEnd || this.phase === 'standby' ? 0 : Math.round((Date.now() - this.caughtUpAt) / 1000),
      cursor: this.cursor,
    };
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops after the step under way, and gives the lock up so that another process follows at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.source.close();
    await this.running;
    await this.lock.release(this.token).catch(() => {});
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (!(await this.lock.hold(this.token, LOCK_LEASE_MS))) {
          if (this.phase !== 'standby') this.logger.info({ source: this.settings.url }, 'Another process follows the source; standing by');
          this.phase = 'standby';
          await this.pause(STANDBY_RETRY_MS);
          continue;
        }
        const position = await this.lock.position();
        if (position?.source === this.sourceTag) {
          this.phase = 'following';
          this.cursor = position.cursor;
          await this.followPage(position.cursor);
        } else {
          await this.snapshot();
        }
        this.sourceAnswered();
        failures = 0;
        if (this.atEnd) await this.idle(this.settings.pollSeconds * 1000);
      } catch (error) {
        if (this.stopped) break;
        if (error instanceof SourceGoneError) {
          this.logger.warn({ source: this.settings.url, err: error }, 'The source no longer keeps the events after our position: reading a snapshot again');
          await this.lock.forgetPosition().catch(() => {});
          continue;
        }
        if (error instanceof LockLostError) continue;
        failures++;
        this.failed(error as Error);
        await this.pause(Math.min(FIRST_RETRY_MS * 2 ** Math.min(failures - 1, 20), this.settings.retryMaxSeconds * 1000));
      }
    }
  }

  private sourceAnswered(): void {
    if (!this.sourceUp) this.logger.info({ source: this.settings.url }, 'The source answers again; following');
    this.sourceUp = true;
  }

  /** One warning per outage of the source; other failures (Redis) are logged each time. */
  private failed(error: Error): void {
    if (!(error instanceof SourceUnavailableError)) {
      this.logger.warn({ err: error }, 'Mirror step failed; trying again');
      return;
    }
    if (this.sourceUp) this.logger.warn({ source: this.settings.url, err: error }, 'The source does not answer; trying again with backoff');
    this.sourceUp = false;
  }

  private pause(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  /** Waits `ms` while keeping the lock. */
  private async idle(ms: number): Promise<void> {
    for (const until = Date.now() + ms; !this.stopped && Date.now() < until; ) {
      await this.pause(Math.min(until - Date.now(), LOCK_LEASE_MS / 3));
      if (!this.stopped) await this.renew();
    }
  }

  private async step(step: Omit<MirrorStep, 'lockToken'>): Promise<MirrorOutcome> {
    const outcome = await this.target.mirror({ ...step, lockToken: this.token });
    if (outcome === 'fenced') throw new LockLostError();
    return outcome;
  }

  private async renew(): Promise<void> {
    if (!(await this.lock.hold(this.token, LOCK_LEASE_MS))) throw new LockLostError();
  }

  /**
   * Reads every page of the source's listing into the mirror, then removes the agents it lacks, then
   * stores the cursor read before the first page: following from it misses no change the pages do
   * not show. The position is forgotten first, so a follower stopped halfway starts again.
   */
  private async snapshot(): Promise<void> {
    this.phase = 'snapshot';
    this.atEnd = false;
    this.logger.info({ source: this.settings.url, filter: this.settings.filter || undefined }, 'Reading a snapshot of the source');
    await this.lock.forgetPosition();
    const cursor = await this.source.snapshotCursor();
    // Kept on every mirrored record (`ms`), so short: another snapshot's mark is all it must differ from.
    const mark = randomBytes(4).toString('hex');
    let page: string | undefined;
    let count = 0;
    do {
      await this.renew();
      const { agents, nextCursor } = await this.source.listPage(page);
      this.sourceAnswered();
      for (const agent of agents) {
        const record = mirroredRecordOf(agent);
        if (!this.matches(record)) continue;
        await this.step({ change: { kind: 'put', record, newerOnly: false, snapshotMark: mark }, at: new Date(record.updatedAt) });
        count++;
      }
      page = nextCursor;
    } while (page !== undefined && !this.stopped);
    if (this.stopped) return;
    const removed = await this.removeUnmarked(mark);
    await this.step({ position: { cursor, source: this.sourceTag }, at: new Date() });
    this.cursor = cursor;
    this.phase = 'following';
    this.logger.info({ source: this.settings.url, agents: count, removed }, 'Snapshot read; following the change log');
  }

  /** Removes the local agents the snapshot did not mark, a page of ids at a time. */
  private async removeUnmarked(mark: string): Promise<number> {
    let removed = 0;
    let after: string | undefined;
    for (;;) {
      await this.renew();
      const { ids } = await this.target.listPage(after, SWEEP_PAGE, true);
      const marks = await this.target.mirrorMarks(ids);
      for (const [i, id] of ids.entries()) {
        if (marks[i] === mark) continue;
        await this.step({ change: { kind: 'remove', id, changeKind: 'deleted' }, at: new Date() });
        removed++;
      }
      if (ids.length < SWEEP_PAGE) return removed;
      after = ids.at(-1);
    }
  }

  /**
   * Applies one page of the source's change log. Events carry no state beyond the revision, so each
   * agent of the page is read from the source as it is now (once per page), and stored when newer
   * than the mirror's copy; a removal removes an older copy. Replays change nothing.
   */
  private async followPage(since: string): Promise<void> {
    await this.renew();
    const page = await this.source.changes(since);
    this.sourceAnswered();
    const current = await this.currentAgents(page.changes);
    for (const event of page.changes) {
      await this.apply(event, current.get(event.agent_id));
      this.cursor = event.cursor;
    }
    if (page.changes.length === 0 && page.next_cursor !== since) {
      await this.step({ position: { cursor: page.next_cursor, source: this.sourceTag }, at: new Date() });
      this.cursor = page.next_cursor;
    }
    this.atEnd = !page.has_more;
    if (this.atEnd) this.caughtUpAt = Date.now();
  }

  /** The agents that events of the page other than removals name, as the source holds them now (null: gone). */
  private async currentAgents(events: readonly SourceEvent[]): Promise<Map<string, SourceAgent | null>> {
    const ids = [...new Set(events.filter((e) => !REMOVALS.has(e.kind)).map((e) => e.agent_id))];
    const found = new Map<string, SourceAgent | null>();
    for (let from = 0; from < ids.length; from += AGENT_READS_AT_ONCE) {
      const chunk = ids.slice(from, from + AGENT_READS_AT_ONCE);
      const agents = await Promise.all(chunk.map((id) => this.source.agent(id)));
      chunk.forEach((id, i) => found.set(id, agents[i] ?? null));
    }
    return found;
  }

  private async apply(event: SourceEvent, agent: SourceAgent | null | undefined): Promise<void> {
    const position = { cursor: event.cursor, source: this.sourceTag };
    const at = new Date(event.at);
    if (REMOVALS.has(event.kind)) {
      await this.step({ change: { kind: 'remove', id: event.agent_id, revision: event.revision, changeKind: event.kind }, position, at });
    } else if (!agent) {
      // Gone from the source since: its removal is a later event of the log.
      await this.step({ position, at });
    } else {
      const record = mirroredRecordOf(agent);
      const change = this.matches(record)
        ? { kind: 'put' as const, record, newerOnly: true, changeKind: record.revision === event.revision ? event.kind : ('updated' as const) }
        : { kind: 'remove' as const, id: record.id, revision: record.revision, changeKind: 'deleted' as const };
      await this.step({ change, position, at });
    }
    this.applied.inc();
  }
}
