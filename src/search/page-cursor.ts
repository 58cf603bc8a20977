import { ValidationError } from '../errors.js';
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
  if (cursor.tier > 1 || !/^\d{16}$/.test(cursor.key)) {
    throw new ValidationError('Invalid cursor', [{ path: '$.cursor', message: 'is not a cursor of this search' }]);
  }
  return { tier: cursor.tier, agentNumber: Number(cursor.key) };
}
