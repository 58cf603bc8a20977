import { ValidationError } from '../errors.js';

/** Position after the last item of a page: its rank tier and its id. */
export interface CursorPosition {
  tier: number;
  id: string;
}

/** Opaque to clients: base64url of `tier:id`. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(`${position.tier}:${position.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d):(.+)$/s.exec(decoded);
  if (!match || encodeCursor({ tier: Number(match[1]), id: match[2] as string }) !== cursor) {
    throw new ValidationError('Invalid cursor', [{ path: '$.cursor', message: 'is not a cursor this registry issued' }]);
  }
  return { tier: Number(match[1]), id: match[2] as string };
}

/** Whether an item at `position` comes strictly after the cursor. */
export function isAfter(position: CursorPosition, cursor: CursorPosition): boolean {
  return position.tier > cursor.tier || (position.tier === cursor.tier && position.id > cursor.id);
}
