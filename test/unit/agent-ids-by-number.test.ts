import { describe, expect, it } from 'vitest';
import { AgentIdsByNumber } from '../../src/store/agent-ids-by-number.js';

describe('AgentIdsByNumber', () => {
  it('answers the ids it was told, forgetting the oldest past its bound', () => {
    const known = new AgentIdsByNumber(2);
    known.remember(1, 'one');
    known.remember(2, 'two');
    known.remember(3, 'three');
    expect([known.get(1), known.get(2), known.get(3)]).toEqual([undefined, 'two', 'three']);
    expect(known.size).toBe(2);
  });

  it('forgets every id at once', () => {
    const known = new AgentIdsByNumber();
    known.remember(7, 'seven');
    known.forgetAll();
    expect(known.get(7)).toBeUndefined();
    expect(known.size).toBe(0);
  });

  it('keeps nothing with a bound of 0', () => {
    const known = new AgentIdsByNumber(0);
    known.remember(7, 'seven');
    expect(known.get(7)).toBeUndefined();
  });
});
