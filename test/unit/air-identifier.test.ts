import { describe, expect, it } from 'vitest';
import {
  agentIdForAirIdentifier,
  airIdentifierOf,
  assignedAirIdentifier,
  candidateAgentIdOf,
  isAirIdentifier,
  registryPublisherOf,
} from '../../src/agents/air-identifier.js';
import { assertValidAgentId } from '../../src/agents/agent-id.js';

describe('urn:air identifiers', () => {
  it('assigns identifiers that match the AI Catalog pattern and lead back to the agent id', () => {
    const publisher = registryPublisherOf('https://registry.example.com:8443/base');
    expect(publisher).toBe('registry.example.com');
    for (const id of ['weather-agent', 'a.b_c', 'odd~id', 'X']) {
      const identifier = assignedAirIdentifier(publisher, id);
      expect(isAirIdentifier(identifier)).toBe(true);
      expect(candidateAgentIdOf(identifier, publisher)).toBe(id);
    }
  });

  it('keeps a publisher identifier as it is and derives a valid, deterministic agent id from it', () => {
    const identifier = 'urn:air:acme.com:travel:Flight-Booker';
    expect(airIdentifierOf({ id: 'x', airIdentifier: identifier }, 'registry.example.com')).toBe(identifier);
    const id = agentIdForAirIdentifier(identifier);
    expect(id).toBe('acme.com~travel~flight-booker');
    expect(assertValidAgentId(id)).toBe(id);
    expect(candidateAgentIdOf(identifier, 'registry.example.com')).toBe(id);
  });

  it('falls back to a digest when the joined parts are not a valid id', () => {
    for (const identifier of ['urn:air:acme.com:ns:name-', `urn:air:acme.com:ns:${'n'.repeat(200)}`]) {
      const id = agentIdForAirIdentifier(identifier);
      expect(id).toMatch(/^air~[0-9a-f]{40}$/);
      expect(assertValidAgentId(id)).toBe(id);
    }
  });

  it('refuses what is not a urn:air identifier', () => {
    for (const value of ['urn:air:acme', 'urn:other:a:b', 'urn:air:a b:c', `urn:air:a:${'b'.repeat(600)}`]) {
      expect(isAirIdentifier(value)).toBe(false);
      expect(candidateAgentIdOf(value, 'registry.example.com')).toBeUndefined();
    }
  });
});
