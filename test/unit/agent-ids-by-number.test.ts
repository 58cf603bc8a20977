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

  it('forgets every id when the agent number counter is seen lower than before, and not when it grows', () => {
    const known = new AgentIdsByNumber();
    known.sawCounter(10);
    known.remember(9, 'nine');
    known.sawCounter(12);
    expect(known.get(9)).toBe('nine');
    known.sawCounter(8);
    expect(known.get(9)).toBeUndefined();
    known.remember(9, 'another nine');
    known.sawCounter(9);
    expect(known.get(9)).toBe('another nine');
  });

  it('forgets the pair of an agent written, and keeps one number per agent', () => {
    const known = new AgentIdsByNumber(3);
    known.remember(1, 'one');
    known.remember(2, 'two');
    known.forget('one');
    expect([known.get(1), known.get(2)]).toEqual([undefined, 'two']);
    // Registered again under another number: the old pair goes.
    known.remember(5, 'two');
    expect([known.get(2), known.get(5), known.size]).toEqual([undefined, 'two', 1]);
    // Pairs forgotten past the bound leave nothing behind to forget later.
    known.remember(6, 'six');
    known.remember(7, 'seven');
    known.remember(8, 'eight');
    expect([known.get(5), known.size]).toEqual([undefined, 3]);
    known.forget('two');
    expect(known.size).toBe(3);
  });
});
