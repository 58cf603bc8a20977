import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderedMap } from '../../src/ordered-map.js';

describe('OrderedMap', () => {
  it('holds what was set, like a Map', () => {
    const map = new OrderedMap<string, number>();
    map.set('a', 1);
    map.set('b', 2);
    expect([map.get('a'), map.get('b'), map.get('c')]).toEqual([1, 2, undefined]);
    expect(map.size).toBe(2);
  });

  it('names the entry set longest ago as the oldest', () => {
    const map = new OrderedMap<string, number>();
    expect(map.oldest()).toBeUndefined();
    ['a', 'b', 'c'].forEach((key, i) => map.set(key, i));
    expect(map.oldest()).toMatchObject({ key: 'a', value: 0 });
  });

  it('makes an entry set again the newest, with its new value', () => {
    const map = new OrderedMap<string, number>();
    for (const key of ['a', 'b', 'c']) map.set(key, 0);
    map.set('a', 5);
    expect(map.oldest()?.key).toBe('b');
    expect(map.get('a')).toBe(5);
    expect(map.size).toBe(3);
  });

  it('passes to the next oldest when the oldest, a middle or the newest entry is deleted', () => {
    const map = new OrderedMap<string, number>();
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, 0);
    expect(map.delete('c')).toBe(true);
    expect(map.delete('a')).toBe(true);
    expect(map.delete('a')).toBe(false);
    expect(map.oldest()?.key).toBe('b');
    expect(map.delete('d')).toBe(true);
    map.set('e', 0);
    expect(map.delete('b')).toBe(true);
    expect(map.oldest()?.key).toBe('e');
    expect(map.size).toBe(1);
  });

  it('trims to a bound by dropping the oldest entries, and keeps a map within it as it is', () => {
    const map = new OrderedMap<string, number>();
    for (const key of ['a', 'b', 'c', 'd']) map.set(key, 0);
    map.set('a', 1);
    map.trimTo(2);
    expect([map.size, map.oldest()?.key, map.get('a'), map.get('b'), map.get('c')]).toEqual([2, 'd', 1, undefined, undefined]);
    map.trimTo(5);
    expect(map.size).toBe(2);
  });

  it('is empty after clear and usable again', () => {
    const map = new OrderedMap<string, number>();
    map.set('a', 1);
    map.clear();
    expect([map.size, map.oldest()?.key, map.get('a')]).toEqual([0, undefined, undefined]);
    map.set('b', 2);
    expect(map.oldest()?.key).toBe('b');
  });

  it('agrees with a list kept in order of the last set, over any sequence of sets and deletes', () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: fc.integer({ min: 0, max: 9 }), value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ kind: fc.constant('dropOldest' as const) }),
    );
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const map = new OrderedMap<number, number>();
        let model: [number, number][] = [];
        for (const op of operations) {
          if (op.kind === 'set') {
            map.set(op.key, op.value);
            model = [...model.filter(([key]) => key !== op.key), [op.key, op.value]];
          } else if (op.kind === 'delete') {
            expect(map.delete(op.key)).toBe(model.some(([key]) => key === op.key));
            model = model.filter(([key]) => key !== op.key);
          } else {
            const oldest = map.oldest()?.key;
            expect(oldest).toBe(model[0]?.[0]);
            if (oldest !== undefined) map.delete(oldest);
            model = model.slice(1);
          }
          expect(map.size).toBe(model.length);
          expect(map.oldest()?.key).toBe(model[0]?.[0]);
          for (const [key, value] of model) expect(map.get(key)).toBe(value);
        }
      }),
    );
  });
});
