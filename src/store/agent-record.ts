import { createHash } from 'node:crypto';
import type { CardFormat } from '../card/card-schemas.js';
import type { ProbeOutcome } from './probe-outcome.js';
import type { SignatureError, SignatureStatus } from '../signatures/card-signature-verifier.js';
import type { SigningFormName } from '../signatures/signing-forms.js';

/** Whether an agent shows up in listings and search: its heartbeat liveness. */
export type AgentStatus = 'active' | 'inactive';

/**
 * The lifecycle its owner (or an admin) gives an agent, apart from its heartbeat liveness: a
 * `deprecated` agent stays readable and searchable, marked and ranked after active ones. A deleted
 * agent has no record, only a {@link Tombstone}.
 */
export type LifecycleStatus = 'active' | 'deprecated';

/** Longest `status_message` an owner may set: it is kept on the record and read with it. */
export const MAX_STATUS_MESSAGE_LENGTH = 500;

/** An agent's lifecycle as its owner last set it; `active` without a message for agents never set. */
export interface Lifecycle {
  status: LifecycleStatus;
  /** Why, as the owner put it (such as the agent to use instead). */
  message?: string;
  /** When the owner last set it (ISO time); absent when never set. */
  changedAt?: string;
}

/** The lifecycle of agents whose owner never set one, and of records stored before there was one. */
export const ACTIVE_LIFECYCLE: Lifecycle = Object.freeze({ status: 'active' });

/** What remains of a deleted agent for a while, so that mirrors learn of the deletion. */
export interface Tombstone {
  id: string;
  /** The revision the removal took (as its change event says). */
  revision: number;
  /** When it was deleted (ISO time). */
  deletedAt: string;
  /** Who owned it. */
  owner: string;
}

/** The few fields of a card that listings show beside it, kept with the record so pages need no parsing. */
export interface RecordSummary {
  format: CardFormat;
  name: string;
  description: string;
  /** The first interface's URL. */
  url?: string;
  /** Whether one of the card's signatures verified with a trusted key, when it was registered. */
  signatureStatus: SignatureStatus;
  /** Which form of the card the verified signature covers (`a2a-spec`, `a2a-sdk`, `a2a-python` or `jcs`). */
  signatureForm?: SigningFormName;
  /** Why the card's signatures did not verify, when its status is `invalid`. */
  signatureError?: SignatureError;
}

/** The summary fields a store keeps beside the card: those the card's text does not hold as they are. */
export type KeptSummary = Omit<RecordSummary, 'name' | 'description'>;

/** What a store keeps of a summary: name and description are in the card. */
export function keptSummaryOf({ format, url, signatureStatus, signatureForm, signatureError }: RecordSummary): KeptSummary {
  return { format, ...(url ? { url } : {}), signatureStatus, ...signatureDetailOf({ signatureForm, signatureError }) };
}

/** The signature fields of a summary that are set, as members to spread into another. */
export function signatureDetailOf({ signatureForm, signatureError }: Pick<RecordSummary, 'signatureForm' | 'signatureError'>) {
  return { ...(signatureForm ? { signatureForm } : {}), ...(signatureError ? { signatureError } : {}) };
}

/**
 * What stores derive from a stored card instead of keeping a copy of it: its index terms, and the
 * summary fields the card holds itself. Derived again on reads and on changes, never stored twice.
 */
export interface CardReader {
  /** The index terms of a stored card, whose signature checked out as `summary` says. */
  termsOf(card: string, summary: KeptSummary): string[];
  /** The whole summary of a stored card, from the fields kept beside it. */
  summaryOf(card: string, kept: KeptSummary): RecordSummary;
  /**
   * The index terms a store keeps of `terms` when it indexes words of prefixable length by their
   * prefix terms only (the Redis data layout 4, and the embedded store): their whole-word twins,
   * which no search reads, are left out.
   */
  prefixOnlyTerms(terms: readonly string[]): string[];
}

/** One registered agent as stored: the card exactly as sent, and the registry's data beside it. */
export interface AgentRecord {
  id: string;
  /** The card's JSON text exactly as the client sent it. */
  card: string;
  summary: RecordSummary;
  /** Registry-wide sequence number of the write that produced this record; grows on every change. */
  revision: number;
  createdAt: string;
  updatedAt: string;
  status: AgentStatus;
  /** Seconds without a heartbeat after which the agent turns inactive; 0 when liveness is off. */
  ttlSeconds: number;
  /** The principal that registered the agent; only it or an admin may change it. */
  owner: string;
  /** Where the card was fetched from, for agents registered by URL (kept in step by the worker). */
  sourceUrl?: string;
  /** The publisher's `urn:air` identifier, for agents that came from an AI Catalog entry with one (kept exactly). */
  airIdentifier?: string;
  /** The revision this one replaced, for agents registered by URL whose card changed. */
  previousRevision?: number;
  /** True when every interface host of the card lies on a domain its owner proved. */
  domainVerified: boolean;
  /** How the agent changed hands, oldest first (the last {@link MAX_OWNER_CHANGES}); absent when it never did. */
  ownerChanges?: OwnerChange[];
  /** The lifecycle its owner set: {@link ACTIVE_LIFECYCLE} unless set otherwise. */
  lifecycle: Lifecycle;
  /** What the last probe found (src/probes/); absent until the worker first probed the agent. */
  probe?: ProbeOutcome;
}

/** Most owner changes a record keeps: each is a few dozen bytes, read with the record. */
export const MAX_OWNER_CHANGES = 10;

/** One change of an agent's owner, kept on the agent. */
export interface OwnerChange {
  /** Who owned it before. */
  from: string;
  /** Who owns it since. */
  to: string;
  /** When (ISO time). */
  at: string;
  /** Why, such as `domain example.com proven by http challenge`. */
  reason: string;
}

/** A card as it was before its last change, kept for agents registered by URL. */
export interface PreviousCard {
  revision: number;
  card: string;
}

/** Who asks for a change: owners may change their own agents, admins any. */
export interface Actor {
  id: string;
  admin: boolean;
}

/** What a write hands the store: the record's content and the index terms it belongs to. */
export interface AgentWrite {
  id: string;
  card: string;
  summary: RecordSummary;
  terms: string[];
  now: string;
  /** Liveness TTL in seconds, 0 for none; absent: keep the agent's, or `defaultTtlSeconds` for a new one. */
  ttlSeconds?: number;
  /** TTL of a new agent that names none. @defaultValue 0 */
  defaultTtlSeconds?: number;
  /** Who writes: becomes the owner of a new agent, and must own an existing one unless admin. */
  actor: Actor;
  /**
   * The card's interface hosts (see `card/interface-hosts.ts`): a host on a domain another principal
   * proved refuses the write unless the actor is an admin, checked in the same atomic step.
   */
  hosts: string[];
  /** For a card fetched from a URL: where, and when to fetch it again. Absent: the client sent it. */
  source?: { url: string; nextRefreshAt: Date };
  /**
   * The publisher's `urn:air` identifier of an AI Catalog entry, kept exactly. Absent: the agent keeps
   * the one it has, since its id was derived from it (`agentIdForAirIdentifier`) and lookups by it must go on working.
   */
  airIdentifier?: string;
  /** How the change log tells this write when not as `registered` or `updated`: the worker's refresh of a card from its source. */
  changeKind?: 'refreshed';
}

export interface SaveOptions {
  /** Refuse the write (412) unless the stored revision is this one. */
  expectedRevision?: number;
  /** Refuse the write (409) when the agent exists already. */
  mustNotExist?: boolean;
  /**
   * Refuse the write (409) when the agent exists with a card of another name: its id was derived
   * from the name, and two names that derive the same id must not silently replace each other.
   */
  sameNameRequired?: boolean;
  /** Keep the outcome under this claim, and answer with the one kept there instead of writing again. */
  idempotency?: IdempotencyClaim;
}

/**
 * What a write's answer shows of the record it produced: everything but the card and its owner;
 * its lifecycle unless the answer repeats one kept under an idempotency key.
 */
export type SavedRecord = Omit<AgentRecord, 'card' | 'owner' | 'summary' | 'lifecycle'> & {
  summary: Pick<RecordSummary, 'format' | 'signatureStatus' | 'signatureForm' | 'signatureError'>;
  lifecycle?: Lifecycle;
};

export interface SaveResult {
  record: SavedRecord;
  created: boolean;
}

/**
 * A write made under an idempotency key: the store keeps its outcome under `key` for `ttlSeconds`,
 * atomically with the write, and a write under a key that holds an outcome writes nothing.
 */
export interface IdempotencyClaim {
  /** The caller's key, made distinct per principal (a digest, so any key has the same size). */
  key: string;
  /** A digest of the request; the same key with another request is refused. */
  fingerprint: string;
  /** How long the outcome is kept, in seconds. */
  ttlSeconds: number;
}

/** The outcome of a write kept under an idempotency key: enough to answer its retries as it was answered. */
export type KeptOutcome = { fingerprint: string } & (
  | { kind: 'saved'; saved: SaveResult }
  | { kind: 'deleted'; id: string; revision: number }
);

/** The entity tag of a record: revisions are unique registry-wide, so the revision alone identifies it. */
export function etagOf(record: Pick<AgentRecord, 'revision'>): string {
  return `"${record.revision}"`;
}

/** What an owner (or an admin) asks of an agent's lifecycle, apart from its deletion. */
export interface LifecycleChange {
  status: LifecycleStatus;
  /** Why; absent: none (a message set before is dropped). */
  message?: string;
  now: Date;
  /** Refuse the change (412) unless the stored revision is this one. */
  expectedRevision?: number;
  actor: Actor;
}

/** A place in the listing of changes by time: its time (ms), then `a` for an agent or `d` for a tombstone, then its key. */
export interface ChangedPosition {
  at: number;
  kind: 'a' | 'd';
  /** An agent's number (as text), or a tombstone's id. */
  key: string;
}

/** One entry of a listing of what changed since a time: an agent, or the tombstone of one. */
export type ChangedEntry = { position: ChangedPosition } & ({ kind: 'agent'; id: string } | { kind: 'deleted'; tombstone: Tombstone });

/** One page of {@link ChangedEntry}s, in (time, kind, key) order. */
export interface ChangedPage {
  entries: ChangedEntry[];
  /** How many agents (and tombstones, when asked) changed at or after the time, in all pages. */
  total: number;
}

/** One page of a listing by id. */
export interface IdPage {
  ids: string[];
  /** How many agents the listing holds in all pages. */
  total: number;
}

/** What a heartbeat did. */
export interface HeartbeatResult {
  revision: number;
  /** True when the heartbeat turned an inactive agent active again. */
  reactivated: boolean;
  /** When liveness runs out without another heartbeat; undefined when liveness is off. */
  expiresAt?: Date;
}

/** A short digest of a card's name, kept beside the card so that a write can compare names without reading the card. */
export function nameDigestOf(name: string): string {
  return createHash('sha256').update(name).digest('base64url').slice(0, 8);
}
