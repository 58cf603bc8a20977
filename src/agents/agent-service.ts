import { AgentNotFoundError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { keptFor, mayChange, refusedWrite } from '../store/store-outcome.js';
import { unsignedVerification } from '../signatures/card-signature-verifier.js';
import { unsignedCardError, type SignaturePolicy } from '../signatures/signature-policy.js';
import type { Actor, AgentRecord, IdempotencyClaim, KeptOutcome, Lifecycle, LifecycleStatus, PreviousCard, SaveResult } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import { agentIdFromName, assertValidAgentId } from './agent-id.js';
import type { IdempotentRequest } from './idempotency-key.js';
import { validateCard } from '../card/card-validation.js';
import { interfaceHosts } from '../card/interface-hosts.js';
import { recordSummaryOf } from './record-summary.js';
import { boundedIndexTermsOf, withSignatureTerm } from './record-terms.js';

/**
 * The revision a write expects: one revision, `*` (any, as long as the agent exists), or a list of
 * revisions any of which will do (empty: none can match).
 */
export type ExpectedRevision = number | '*' | readonly number[];

/** A card to register, as both doors (REST and JSON-RPC) hand it over. */
export interface RegisterCommand {
  /** The parsed card. */
  card: unknown;
  /** The card's JSON text exactly as the client sent it. */
  cardJson: string;
  /**
   * Client-chosen id; derived from the card name when absent. A derived id that an agent of
   * another name holds is refused (409) unless `expectedRevision` is given.
   */
  id?: string;
  /** Optimistic concurrency: write only if the stored revision is this one (`*`: if the agent exists). */
  expectedRevision?: ExpectedRevision;
  /** Write only if no agent has this id yet. */
  createOnly?: boolean;
  /** Where validation violations are reported from, such as `$.agent_card`. */
  cardPath?: string;
  /** Liveness TTL in seconds (0: off); absent: the agent's current one, or the registry's default for a new agent. */
  ttlSeconds?: number;
  /** Who registers: the owner of a new agent; must own an existing one unless admin. */
  actor: Actor;
  /** The URL the card was fetched from; the worker fetches it again on a schedule. */
  sourceUrl?: string;
  /** Set by the worker when it fetched the card again from its source: the change log says `refreshed`. */
  refreshed?: boolean;
  /** The publisher's `urn:air` identifier of the AI Catalog entry the card came from, kept exactly. */
  airIdentifier?: string;
  /** Present when the client may retry the write: a retry is answered with the first outcome. */
  idempotency?: IdempotentRequest;
}

/** A lifecycle change, as both doors (REST `PATCH` and JSON-RPC `set_agent_status`) hand it over. */
export interface SetStatusCommand {
  id: string;
  actor: Actor;
  status: LifecycleStatus | 'deleted';
  /** Why; an empty one is none. */
  message?: string;
  expectedRevision?: ExpectedRevision;
  /** For `deleted`: a retry is answered with the first removal's outcome. */
  idempotency?: IdempotentRequest;
}

export interface AgentServiceOptions {
  /** Liveness TTL of agents that register without one; 0 means none. */
  defaultTtlSeconds: number;
  signatures: SignaturePolicy;
  /** How often cards registered by URL are fetched again, in seconds. */
  refreshIntervalSeconds: number;
  /** How long the outcome of a write made under an idempotency key is kept, in seconds. */
  idempotencyTtlSeconds: number;
}

/** Registration, reads and removal of agent cards: the rules both API doors share. */
export class AgentService {
  constructor(
    private readonly store: AgentStore,
    private readonly options: AgentServiceOptions,
  ) {}

  async register(command: RegisterCommand): Promise<SaveResult> {
    const saved = await this.savedBefore(command.idempotency);
    if (saved) return saved;
    const claim = this.claimOf(command.idempotency);
    const cardPath = command.cardPath ?? '$';
    const summary = validateCard(command.card, cardPath);
    const cardTerms = boundedIndexTermsOf(summary, cardPath);
    const id = command.id === undefined ? agentIdFromName(summary.name) : assertValidAgentId(command.id);
    // The verifier reads the card's exact text; one without a signatures member (the card, being
    // valid, is an object) is unsigned without parsing that text a second time.
    const signed = Object.hasOwn(command.card as object, 'signatures');
    // Verifying may fetch the signer's keys from its origin: not on behalf of a caller who may not write.
    if (signed) await this.assertMayWrite(id, command.actor);
    const verification = signed ? await this.options.signatures.check(command.cardJson) : unsignedVerification();
    if (this.options.signatures.requireSigned && verification.status !== 'verified') {
      throw unsignedCardError(verification, cardPath);
    }
    const expectedRevision = await this.resolveExpectedRevision(id, command.expectedRevision);
    return this.store.save(
      {
        id,
        card: command.cardJson,
        summary: recordSummaryOf(summary, verification),
        terms: withSignatureTerm(cardTerms, verification.status),
        now: new Date().toISOString(),
        ...(command.ttlSeconds !== undefined ? { ttlSeconds: command.ttlSeconds } : {}),
        defaultTtlSeconds: this.options.defaultTtlSeconds,
        actor: command.actor,
        hosts: interfaceHosts(summary),
        ...(command.sourceUrl ? { source: { url: command.sourceUrl, nextRefreshAt: this.nextRefresh() } } : {}),
        ...(command.refreshed ? { changeKind: 'refreshed' as const } : {}),
        ...(command.airIdentifier ? { airIdentifier: command.airIdentifier } : {}),
      },
      {
        ...(expectedRevision !== undefined ? { expectedRevision } : {}),
        ...(command.createOnly ? { mustNotExist: true } : {}),
        // An id derived from the name may be shared by other names ("Foo Bar", "foo_bar"): replacing
        // the agent with a card of another name must be asked for by naming its revision.
        ...(command.id === undefined && expectedRevision === undefined ? { sameNameRequired: true } : {}),
        ...(claim ? { idempotency: claim } : {}),
      },
    );
  }

  /**
   * A record by id, inactive ones included. With `minRevision` (the revision a write answered)
   * it is never older than that, whichever replica answers; a revision the store has not
   * reached is a 412.
   */
  async get(id: string, minRevision?: number): Promise<AgentRecord> {
    const record = await this.store.get(id, minRevision);
    if (!record) throw new AgentNotFoundError(id);
    if (minRevision !== undefined && record.revision < minRevision) {
      throw new PreconditionFailedError(`Agent '${id}' is at revision ${record.revision}, below min_revision ${minRevision}`);
    }
    return record;
  }

  /** Removes an agent on behalf of `actor`; returns the revision it had. */
  async delete(id: string, actor: Actor, expectedRevision?: ExpectedRevision, idempotency?: IdempotentRequest): Promise<number> {
    const claim = this.claimOf(idempotency);
    const kept = claim && (await this.keptOutcome(claim, 'deleted'));
    if (kept) return kept.revision;
    return this.store.delete(id, await this.resolveExpectedRevision(id, expectedRevision), actor, claim);
  }

  /**
   * Sets the lifecycle of an agent on behalf of `actor` (its owner or an admin). `deleted` removes
   * it as {@link delete} does, leaving its tombstone, and answers no lifecycle; an idempotency key
   * applies to that removal only, since setting `active` or `deprecated` again changes nothing but the revision.
   */
  async setStatus(command: SetStatusCommand): Promise<{ revision: number; lifecycle?: Lifecycle }> {
    const { id, actor, status, expectedRevision } = command;
    if (status === 'deleted') return { revision: await this.delete(id, actor, expectedRevision, command.idempotency) };
    const expected = await this.resolveExpectedRevision(id, expectedRevision);
    return this.store.setLifecycle(id, {
      status,
      ...(command.message ? { message: command.message } : {}),
      now: new Date(),
      actor,
      ...(expected !== undefined ? { expectedRevision: expected } : {}),
    });
  }

  /**
   * The answer of the write a retry repeats, when it was made under the same idempotency key: its
   * retry does no work again (no validation, no fetch, no write). Another request under the key is a 422.
   */
  async savedBefore(request: IdempotentRequest | undefined): Promise<SaveResult | undefined> {
    const claim = this.claimOf(request);
    return claim && (await this.keptOutcome(claim, 'saved'))?.saved;
  }

  /** What the store keeps for a request made under an idempotency key, for this registry's time. */
  private claimOf(request: IdempotentRequest | undefined): IdempotencyClaim | undefined {
    return request && { ...request, ttlSeconds: this.options.idempotencyTtlSeconds };
  }

  private async keptOutcome<K extends KeptOutcome['kind']>(claim: IdempotencyClaim, kind: K) {
    const kept = await this.store.keptOutcome(claim);
    return kept ? keptFor(kept, claim, kind) : undefined;
  }

  count(): Promise<number> {
    return this.store.count();
  }

  /** The card an agent registered by URL had before its last change. */
  async previous(id: string): Promise<PreviousCard> {
    const previous = await this.store.previousCard(id);
    if (!previous) throw new NotFoundError(`Agent '${id}' has no previous revision`, 'no_previous_revision');
    return previous;
  }

  /** When a card registered by URL now is fetched again. */
  nextRefresh(): Date {
    return new Date(Date.now() + this.options.refreshIntervalSeconds * 1000);
  }

  /**
   * Refuses `actor` an agent someone else owns before any outbound work is done for it; the store
   * checks again, atomically, when it writes.
   */
  async assertMayWrite(id: string, actor: Actor): Promise<void> {
    const current = await this.store.get(id);
    if (current && !mayChange(current.owner, actor)) throw refusedWrite('forbidden', id, current.revision);
  }

  /**
   * `*` asks only that the agent exist: it then stands for whatever revision is stored. A list asks
   * that the stored revision be one of them (none: nothing can match); the store checks the one
   * that is current again, atomically.
   */
  private async resolveExpectedRevision(id: string, expected: ExpectedRevision | undefined): Promise<number | undefined> {
    if (expected === undefined || typeof expected === 'number') return expected;
    if (expected !== '*' && expected.length === 1) return expected[0];
    if (expected !== '*' && expected.length === 0) {
      throw new PreconditionFailedError(`The write names no current revision of agent '${id}'`);
    }
    const current = await this.store.get(id);
    if (!current) throw new PreconditionFailedError(`Agent '${id}' does not exist, and the write expected it to`);
    if (expected !== '*' && !expected.includes(current.revision)) {
      throw new PreconditionFailedError(`Agent '${id}' is at revision ${current.revision}, which the write does not name`);
    }
    return current.revision;
  }
}
