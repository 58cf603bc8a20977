import { AppError, StorageUnavailableError, WriteOutcomeUnknownError } from '../errors.js';

/**
 * Runs a Redis operation of a store beside the agent store, with Redis failures as 503s, as the
 * agent store answers them; a `write` says that its outcome is unknown.
 */
export async function guardStorage<T>(operation: () => Promise<T>, write = false): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw write ? new WriteOutcomeUnknownError(error) : new StorageUnavailableError(error);
  }
}
