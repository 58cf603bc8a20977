import { AgentNotFoundError, ConflictError, ForbiddenError, PreconditionFailedError } from '../errors.js';

export type RefusedOutcome = 'conflict' | 'stale' | 'missing' | 'forbidden';

/** Whether `actor` may change an agent owned by `owner` (no actor: the registry itself, always). */
export function mayChange(owner: string, actor: { id: string; admin: boolean } | undefined): boolean {
  return actor === undefined || actor.admin || actor.id === owner;
}

/** Turns a refused write into the error both stores throw for it, so they fail alike. */
export function refusedWrite(outcome: RefusedOutcome, id: string, currentRevision: number): Error {
  switch (outcome) {
    case 'forbidden':
      return new ForbiddenError(`Agent '${id}' belongs to another owner`);
    case 'conflict':
      return new ConflictError(`Agent '${id}' exists already (revision ${currentRevision})`);
    case 'stale':
      return new PreconditionFailedError(
        currentRevision === 0
          ? `Agent '${id}' does not exist, so no revision can match`
          : `Agent '${id}' is at revision ${currentRevision}, not the one in If-Match`,
      );
    case 'missing':
      return new AgentNotFoundError(id);
  }
}
