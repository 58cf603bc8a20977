import { ValidationError } from '../errors.js';
import type { ChangedPosition } from '../store/agent-record.js';
import type { SearchPosition } from '../store/agent-store.js';

/**
 * Position after the last item of a page: its rank tier and its sort key. Listings sort by agent
 * id; searches by agent number, written by {@link agentNumberKey} so that keys of both kinds sort as strings.
 */
export interface CursorPosition {
  tier: number;
  key: string;
}

/** Agent numbers stay below 2^53, so sixteen digits hold every one. */
const AGENT_NUMBER_DIGITS = 16;

/** The sort key of an agent number: zero-padded, so that string order is number order. */
function agentNumberKey(agentNumber: number): string {
  return String(agentNumber).padStart(AGENT_NUMBER_DIGITS, '0');
}

/** Opaque to clients: base64url of `tier:key`. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.tier}:${position.key}`).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d):(.+)$/s.exec(decoded);
  if (!match || encodeCursor({ tier: Number(match[1]), key: match[2] as string }) !== cursor) {
    throw new ValidationError('Invalid cursor', [{ path: '$.cursor', message: 'is not a cursor this registry issued' }]);
  }
  return { tier: Number(match[1]), key: match[2] as string };
}

/** The cursor of a place in a search's order. */
export function encodeSearchCursor(position: SearchPosition): string {
  return encodeCursor({ tier: position.tier, key: agentNumberKey(position.agentNumber) });
}

/** The place in a search's order a cursor stands for; a listing's cursor (an id) is not one. */
export function searchPositionOf(cursor: CursorPosition): SearchPosition {
  if (cursor.tier > 3 || !/^\d{16}$/.test(cursor.key)) {
    throw new ValidationError('Invalid cursor', [{ path: '$.cursor', message: 'is not a cursor of this search' }]);
  }
  return { tier: cursor.tier, agentNumber: Number(cursor.key) };
}

/** The tier of cursors of listings of what changed since a time: no search or listing by id has it. */
const CHANGED_TIER = 9;

/** The cursor of a place in a listing of what changed since a time. */
export function encodeChangedCursor(position: ChangedPosition): string {
  return encodeCursor({ tier: CHANGED_TIER, key: `${position.at}:${position.kind}:${position.key}` });
}

/** The place in a listing of what changed a cursor stands for; other cursors are refused. */
export function changedPositionOf(cursor: CursorPosition): ChangedPosition {
  const match = /^(\d{1,15}):([ad]):(.+)$/s.exec(cursor.key);
  if (cursor.tier !== CHANGED_TIER || !match) {
    throw new ValidationError('Invalid cursor', [{ path: '$.cursor', message: 'is not a cursor of a listing by updated_since' }]);
  }
  return { at: Number(match[1]), kind: match[2] as ChangedPosition['kind'], key: match[3] as string };
}
