import type { ProbeStatus } from './probe-outcome.js';
import type { LifecycleStatus, RecordSummary } from './agent-record.js';

/** What happened to an agent, as the change log tells it. */
export const CHANGE_KINDS = [
  'registered',
  'updated',
  'refreshed',
  'deleted',
  'expired',
  'reactivated',
  'purged',
  /** A proven domain moved the agent to the principal that proved it. */
  'owner_changed',
  /** Every interface host of the agent is now on a domain its owner proved, or no longer is. */
  'domain_verified',
  'domain_unverified',
  /** Its owner (or an admin) set its lifecycle: `deprecated`, or `active` again. */
  'status_changed',
  /** The worker's probe found the agent in another state (src/probes/): `ok`, `unreachable`, ... */
  'probe_changed',
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

/** One event of the change log, as a store keeps it. */
export interface StoredChange {
  /** Its place in the log: `ms-seq`, growing with every event. */
  position: string;
  agentId: string;
  kind: ChangeKind;
  /** The agent's revision after the change (for a removal: the revision the removal took). */
  revision: number;
  /** When it was written, in Unix milliseconds. */
  at: number;
  /** The record's summary, on events that wrote a card (registered, updated, refreshed). */
  summary?: RecordSummary;
  /** The lifecycle set, on `status_changed` events. */
  lifecycle?: { status: LifecycleStatus; message?: string };
  /** The probe status found, and the one before (absent on the first probe), on `probe_changed` events. */
  probe?: { status: ProbeStatus; previous?: ProbeStatus };
}

/** A read of the change log, with what a reader needs to trust it. */
export interface ChangeRead {
  /** The data set's epoch: a new one means the store lost everything, its log included. */
  epoch: string;
  /** Up to the asked number of events after the asked position, oldest first. */
  events: StoredChange[];
  /** The position of the last event ever added (`0-0`: none yet). */
  last: string;
  /**
   * The position through which events were trimmed away (`0-0`: none): a reader behind it has
   * missed events. Redis tells only where the kept events start, so there it is the position just
   * before the first one kept, which may be a little past the last one trimmed.
   */
  trimmedThrough: string;
}

/** The position before every event. */
export const START_POSITION = '0-0';

/** About how many events the change log keeps when not configured. */
export const DEFAULT_CHANGE_LOG_EVENTS = 100_000;

const POSITION = /^(\d{1,15})-(\d{1,15})$/;

/** Whether `text` is a position the log could have written. */
export const isPosition = (text: string): boolean => POSITION.test(text);

/** Orders two positions (`ms-seq`): negative when `a` comes first. */
export function comparePositions(a: string, b: string): number {
  const [, aMs = '0', aSeq = '0'] = POSITION.exec(a) ?? [];
  const [, bMs = '0', bSeq = '0'] = POSITION.exec(b) ?? [];
  return Number(aMs) - Number(bMs) || Number(aSeq) - Number(bSeq);
}
