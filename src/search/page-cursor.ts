import { ValidationError } from '../errors.js';

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
export function agentNumberKey(agentNumber: number): string {
  return String(agentNumber).padStart(AGENT_NUMBER_DIGITS, '0');
}

/** The agent number a search position stands for. */
export const agentNumberOf = (position: CursorPosition): number => Number(position.key);

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

/** Whether an item at `position` comes strictly after the cursor. */
export function isAfter(position: CursorPosition, cursor: CursorPosition): boolean {
  return position.tier > cursor.tier || (position.tier === cursor.tier && position.key > cursor.key);
}
