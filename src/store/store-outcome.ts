import { AgentNotFoundError, ConflictError, PreconditionFailedError } from '../errors.js';

/** Turns a refused write into the error both stores throw for it, so they fail alike. */
export function refusedWrite(outcome: 'conflict' | 'stale' | 'missing', id: string, currentRevision: number): Error {
  switch (outcome) {
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
