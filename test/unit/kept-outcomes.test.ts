import { describe, expect, it } from 'vitest';
import type { KeptOutcome } from '../../src/store/agent-record.js';
import { KeptOutcomes } from '../../src/store/kept-outcomes.js';

const deleted = (id: string): KeptOutcome => ({ fingerprint: `f-${id}`, kind: 'deleted', id, revision: 1 });

describe('KeptOutcomes (the embedded store\'s outcomes of idempotent writes)', () => {
  it('answers an outcome until its time is up, then forgets it', () => {
    const kept = new KeptOutcomes();
    kept.keep('a', deleted('a'), 10, 1_000);
    expect(kept.get('a', 10_999)).toEqual(deleted('a'));
    expect(kept.get('a', 11_000)).toBeUndefined();
  });

  it('drops the expired outcomes at the front whenever it keeps one', () => {
    const kept = new KeptOutcomes();
    for (let i = 0; i < 5; i++) kept.keep(`k${i}`, deleted(`k${i}`), 10, i * 1000);
    kept.keep('late', deleted('late'), 10, 12_500);
    // k0..k2 expired by 12.5 s (at 10, 11 and 12 s); k3 and k4 have not.
    expect(kept.size).toBe(3);
    expect(kept.get('k3', 12_500)).toEqual(deleted('k3'));
  });

  it('never holds more than its bound, forgetting the oldest first', () => {
    const kept = new KeptOutcomes(3);
    for (let i = 0; i < 10; i++) kept.keep(`k${i}`, deleted(`k${i}`), 3600, 0);
    expect(kept.size).toBe(3);
    expect(kept.get('k6', 0)).toBeUndefined();
    expect(kept.get('k9', 0)).toEqual(deleted('k9'));
  });
});
