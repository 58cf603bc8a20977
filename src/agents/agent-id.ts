import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';

/** Ids the HTTP API uses as path words under `/agents/`, so no agent may take them. */
const RESERVED_IDS = new Set(['search', 'register-url']);

/** The longest agent id, derived or chosen. */
export const MAX_AGENT_ID_LENGTH = 128;
const ID_PATTERN = new RegExp(`^[a-z0-9](?:[a-z0-9._~-]{0,${MAX_AGENT_ID_LENGTH - 2}}[a-z0-9])?$`, 'i');
const MAX_DERIVED_LENGTH = 64;

/** A stable, URL-safe id from a card name: `Weather Agent (EU)` becomes `weather-agent-eu`. */
export function agentIdFromName(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_DERIVED_LENGTH)
    .replace(/^-+|-+$/g, '');
  if (!slug) return `agent-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
  return RESERVED_IDS.has(slug) ? `${slug}-agent` : slug;
}

/** Checks an id a client chose: 1 to 128 URL-safe characters, starting and ending alphanumeric. */
export function assertValidAgentId(id: string, path = '$.agent_id'): string {
  if (!ID_PATTERN.test(id) || RESERVED_IDS.has(id)) {
    throw new ValidationError(`'${id.slice(0, 200)}' is not a valid agent id`, [
      {
        path,
        message: RESERVED_IDS.has(id)
          ? 'is reserved by the API'
          : `must be 1-${MAX_AGENT_ID_LENGTH} characters of A-Z a-z 0-9 . _ ~ -, starting and ending with a letter or digit`,
      },
    ]);
  }
  return id;
}
