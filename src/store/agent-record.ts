import type { CardFormat } from '../agents/card/card-schemas.js';
import type { SignatureStatus } from '../signatures/card-signature-verifier.js';

/** Whether an agent shows up in listings and search. */
export type AgentStatus = 'active' | 'inactive';

/** The few fields of a card that listings show beside it, kept with the record so pages need no parsing. */
export interface RecordSummary {
  format: CardFormat;
  name: string;
  description: string;
  /** The first interface's URL. */
  url?: string;
  /** Whether one of the card's signatures verified with a trusted key, when it was registered. */
  signatureStatus: SignatureStatus;
}

/** The summary fields a store keeps beside the card: those the card's text does not hold as they are. */
export type KeptSummary = Omit<RecordSummary, 'name' | 'description'>;

/** What a store keeps of a summary: name and description are in the card. */
export function keptSummaryOf({ format, url, signatureStatus }: RecordSummary): KeptSummary {
  return { format, ...(url ? { url } : {}), signatureStatus };
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
  /** The revision this one replaced, for agents registered by URL whose card changed. */
  previousRevision?: number;
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
  /** For a card fetched from a URL: where, and when to fetch it again. Absent: the client sent it. */
  source?: { url: string; nextRefreshAt: Date };
}

export interface SaveOptions {
  /** Refuse the write (412) unless the stored revision is this one. */
  expectedRevision?: number;
  /** Refuse the write (409) when the agent exists already. */
  mustNotExist?: boolean;
}

export interface SaveResult {
  record: AgentRecord;
  created: boolean;
}

/** The entity tag of a record: revisions are unique registry-wide, so the revision alone identifies it. */
export function etagOf(record: Pick<AgentRecord, 'revision'>): string {
  return `"${record.revision}"`;
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
