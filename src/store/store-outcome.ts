import { AgentIdTakenError, AgentNotFoundError, ConflictError, DomainOwnedError, ForbiddenError, IdempotencyKeyReusedError, PreconditionFailedError } from '../errors.js';
import type { IdempotencyClaim, KeptOutcome } from './agent-record.js';

export type RefusedOutcome = 'conflict' | 'stale' | 'missing' | 'forbidden' | 'taken' | 'renamed' | 'domain';

/** Whether `actor` may change an agent owned by `owner` (no actor: the registry itself, always). */
export function mayChange(owner: string, actor: { id: string; admin: boolean } | undefined): boolean {
  return actor === undefined || actor.admin || actor.id === owner;
}

/**
 * Turns a refused write into the error both stores throw for it, so they fail alike. `named`: what
 * a refusal names, for `taken` the id held in another case, for `domain` the proven domain of
 * another principal.
 */
export function refusedWrite(outcome: RefusedOutcome, id: string, currentRevision: number, named = ''): Error {
  switch (outcome) {
    case 'taken':
      return new AgentIdTakenError(`Agent id '${id}' differs only in case from the agent '${named}'; ids are compared without case`);
    case 'renamed':
      return new AgentIdTakenError(
        `Agent '${id}' is registered from a card with another name; to replace it, name the revision to replace (or any revision), or choose another agent id`,
      );
    case 'domain':
      return new DomainOwnedError(named);
    case 'forbidden':
      return new ForbiddenError(`Agent '${id}' belongs to another owner`);
    case 'conflict':
      return new ConflictError(`Agent '${id}' exists already (revision ${currentRevision})`);
    case 'stale':
      return new PreconditionFailedError(
        currentRevision === 0
          ? `Agent '${id}' does not exist, so no revision can match`
          : `Agent '${id}' is at revision ${currentRevision}, not the revision the write expected`,
      );
    case 'missing':
      return new AgentNotFoundError(id);
  }
}

/**
 * The outcome kept under a claim's key, as the answer to a retry of the write that left it. Any
 * other request under the same key (another body, target or kind of write) is refused with 422.
 */
export function keptFor<K extends KeptOutcome['kind']>(
  kept: KeptOutcome,
  claim: IdempotencyClaim | undefined,
  kind: K,
): Extract<KeptOutcome, { kind: K }> {
  if (kept.kind !== kind || kept.fingerprint !== claim?.fingerprint) {
    throw new IdempotencyKeyReusedError('This Idempotency-Key was used with another request; use a new key for a new request');
  }
  return kept as Extract<KeptOutcome, { kind: K }>;
}
