import { createHash } from 'node:crypto';
import { MAX_AGENT_ID_LENGTH } from './agent-id.js';

/** An AI Catalog / ARD identifier, `urn:air:{publisher}:{namespace}:{name}`, as the catalog schema spells it. */
export const AIR_IDENTIFIER_PATTERN = /^urn:air:[a-zA-Z0-9.-]+(:[a-zA-Z0-9._-]+)+$/;

/** Longest publisher identifier the registry keeps with an agent. */
export const MAX_AIR_IDENTIFIER_LENGTH = 512;

/** The namespace of identifiers the registry assigns to agents whose id it can spell in a URN as it is. */
const ASSIGNED_NAMESPACE = 'agents';
/** The namespace of identifiers the registry assigns to other agents: their id in hexadecimal. */
const ASSIGNED_HEX_NAMESPACE = 'agents-hex';
const URN_NAME = /^[a-zA-Z0-9._-]+$/;
/** Marks ids derived from a publisher's identifier: `~` may be in an agent id, never in an identifier. */
const DERIVED_SEPARATOR = '~';
const DERIVED_ID = new RegExp(`^[a-z0-9](?:[a-z0-9._~-]{0,${MAX_AGENT_ID_LENGTH - 2}}[a-z0-9])?$`);

/** Whether `value` is a well-formed `urn:air` identifier of a length the registry keeps. */
export function isAirIdentifier(value: string): boolean {
  return value.length <= MAX_AIR_IDENTIFIER_LENGTH && AIR_IDENTIFIER_PATTERN.test(value);
}

/** The publisher part of the identifiers the registry assigns: the host of its public URL. */
export function registryPublisherOf(publicUrl: string): string {
  const host = new URL(publicUrl).hostname.replace(/[^a-zA-Z0-9.-]+/g, '-').replace(/^-+|-+$/g, '');
  return host || 'registry';
}

/** The identifier the registry assigns an agent that came without one: stable while its id and the registry's host are. */
export function assignedAirIdentifier(publisher: string, agentId: string): string {
  return URN_NAME.test(agentId)
    ? `urn:air:${publisher}:${ASSIGNED_NAMESPACE}:${agentId}`
    : `urn:air:${publisher}:${ASSIGNED_HEX_NAMESPACE}:${Buffer.from(agentId).toString('hex')}`;
}

/** An agent's identifier: its publisher's own when it came with one, otherwise the one the registry assigns. */
export function airIdentifierOf(record: { id: string; airIdentifier?: string }, publisher: string): string {
  return record.airIdentifier ?? assignedAirIdentifier(publisher, record.id);
}

/**
 * The agent id under which an entry with a publisher's identifier is registered: the identifier's parts
 * joined by `~` (lower-cased), or a digest of it when that would not be a valid id. Deterministic, so a
 * lookup by identifier reads one record and needs no index.
 */
export function agentIdForAirIdentifier(identifier: string): string {
  const joined = identifier.slice('urn:air:'.length).toLowerCase().split(':').join(DERIVED_SEPARATOR);
  if (DERIVED_ID.test(joined)) return joined;
  return `air${DERIVED_SEPARATOR}${createHash('sha256').update(identifier).digest('hex').slice(0, 40)}`;
}

/**
 * The agent id an identifier names, to read and then check against the record's {@link airIdentifierOf}:
 * the id in a registry-assigned identifier, otherwise {@link agentIdForAirIdentifier}. Undefined when
 * `identifier` is not a `urn:air` identifier at all.
 */
export function candidateAgentIdOf(identifier: string, publisher: string): string | undefined {
  if (!isAirIdentifier(identifier)) return undefined;
  const assigned = `urn:air:${publisher}:`;
  if (identifier.startsWith(assigned)) {
    const [namespace, ...rest] = identifier.slice(assigned.length).split(':');
    const name = rest.join(':');
    if (namespace === ASSIGNED_NAMESPACE && rest.length === 1) return name;
    if (namespace === ASSIGNED_HEX_NAMESPACE && rest.length === 1 && /^(?:[0-9a-f]{2})+$/.test(name)) {
      return Buffer.from(name, 'hex').toString();
    }
  }
  return agentIdForAirIdentifier(identifier);
}
