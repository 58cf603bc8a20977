import { AgentNotFoundError, NotFoundError, PreconditionFailedError } from '../errors.js';
import { unsignedVerification } from '../signatures/card-signature-verifier.js';
import { unsignedCardError, type SignaturePolicy } from '../signatures/signature-policy.js';
import type { Actor, AgentRecord, PreviousCard, SaveResult } from '../store/agent-record.js';
import type { AgentStore } from '../store/agent-store.js';
import { agentIdFromName, assertValidAgentId } from './agent-id.js';
import { validateCard } from './card/card-validation.js';
import { recordSummaryOf } from './record-summary.js';
import { recordTermsOf } from './record-terms.js';

/** A card to register, as both doors (REST and JSON-RPC) hand it over. */
export interface RegisterCommand {
  /** The parsed card. */
  card: unknown;
  /** The card's JSON text exactly as the client sent it. */
  cardJson: string;
  /** Client-chosen id; derived from the card name when absent. */
  id?: string;
  /** Optimistic concurrency: write only if the stored revision is this one (`*`: if the agent exists). */
  expectedRevision?: number | '*';
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
}

export interface AgentServiceOptions {
  /** Liveness TTL of agents that register without one; 0 means none. */
  defaultTtlSeconds: number;
  signatures: SignaturePolicy;
  /** How often cards registered by URL are fetched again, in seconds. */
  refreshIntervalSeconds: number;
}

/** Registration, reads and removal of agent cards: the rules both API doors share. */
export class AgentService {
  constructor(
    private readonly store: AgentStore,
    private readonly options: AgentServiceOptions,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async register(command: RegisterCommand): Promise<SaveResult> {
    const cardPath = command.cardPath ?? '$';
    const summary = validateCard(command.card, cardPath);
    const id = command.id === undefined ? agentIdFromName(summary.name) : assertValidAgentId(command.id);
    // The verifier reads the card's exact text; one without a signatures member (the card, being
    // valid, is an object) is unsigned without parsing that text a second time.
    const verification = Object.hasOwn(command.card as object, 'signatures')
      ? await this.options.signatures.check(command.cardJson)
      : unsignedVerification();
    if (this.options.signatures.requireSigned && verification.status !== 'verified') {
      throw unsignedCardError(verification, cardPath);
    }
    const expectedRevision = await this.resolveExpectedRevision(id, command.expectedRevision);
    return this.store.save(
      {
        id,
        card: command.cardJson,
        summary: recordSummaryOf(summary, verification.status),
        terms: recordTermsOf(summary, verification.status),
        now: this.now().toISOString(),
        ...(command.ttlSeconds !== undefined ? { ttlSeconds: command.ttlSeconds } : {}),
        defaultTtlSeconds: this.options.defaultTtlSeconds,
        actor: command.actor,
        ...(command.sourceUrl ? { source: { url: command.sourceUrl, nextRefreshAt: this.nextRefresh() } } : {}),
      },
      {
        ...(expectedRevision !== undefined ? { expectedRevision } : {}),
        ...(command.createOnly ? { mustNotExist: true } : {}),
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
  async delete(id: string, actor: Actor, expectedRevision?: number | '*'): Promise<number> {
    return this.store.delete(id, await this.resolveExpectedRevision(id, expectedRevision), actor);
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
    return new Date(this.now().getTime() + this.options.refreshIntervalSeconds * 1000);
  }

  /** `*` asks only that the agent exist: it then stands for whatever revision is stored. */
  private async resolveExpectedRevision(id: string, expected: number | '*' | undefined): Promise<number | undefined> {
    if (expected !== '*') return expected;
    const current = await this.store.get(id);
    if (!current) throw new PreconditionFailedError(`Agent '${id}' does not exist, so If-Match: * fails`);
    return current.revision;
  }
}
