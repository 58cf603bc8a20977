import { ValidationError } from '../errors.js';
import { isPosition } from '../store/change-log.js';

/**
 * A place in the change log as clients hold it: the event's position and a tag of the data set's
 * epoch, so that a cursor of a data set Redis lost is never read against a new log (`1733-0.ab12cd34`).
 * Clients treat it as opaque.
 */
export interface ChangeCursor {
  position: string;
  epochTag: string;
}

const EPOCH_TAG_LENGTH = 8;
const CURSOR = /^(\d{1,15}-\d{1,15})\.([0-9a-f]{8})$/;

/** The part of an epoch a cursor carries. */
export const epochTagOf = (epoch: string): string => epoch.replace(/[^0-9a-f]/gi, '').slice(0, EPOCH_TAG_LENGTH).toLowerCase().padEnd(EPOCH_TAG_LENGTH, '0');

export const encodeChangeCursor = (position: string, epoch: string): string => `${position}.${epochTagOf(epoch)}`;

/** Reads a cursor a client sent; `at` names where it came from, for the error. */
export function decodeChangeCursor(text: string, at: string): ChangeCursor {
  const match = CURSOR.exec(text.trim());
  if (!match || !isPosition(match[1] as string)) {
    throw new ValidationError('Invalid change cursor', [{ path: at, message: 'must be a cursor this registry gave (next_cursor, an event id or change_cursor)' }]);
  }
  return { position: match[1] as string, epochTag: match[2] as string };
}
