import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packNumbers, SortedChunks } from '../../src/store/sorted-chunks.js';

const byNumber = (a: number, b: number) => a - b;

describe('SortedChunks', () => {
  it('holds what a sorted set holds after any adds and deletes, across many chunks', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 3000 })), { maxLength: 4000 }), fc.integer({ min: -1, max: 3000 }), (steps, after) => {
        const chunks = new SortedChunks(byNumber);
        const model = new Set<number>();
        for (const [adding, value] of steps) {
          if (adding) expect(chunks.add(value)).toBe(!model.has(value));
          else expect(chunks.delete(value)).toBe(model.has(value));
          if (adding) model.add(value);
          else model.delete(value);
        }
        const sorted = [...model].sort(byNumber);
        expect(chunks.size).toBe(sorted.length);
        expect([...chunks.after()]).toEqual(sorted);
        expect([...chunks.after(after)]).toEqual(sorted.filter((v) => v > after));
        for (const value of [after, after + 1, sorted[0] ?? 0]) expect(chunks.has(value)).toBe(model.has(value));
      }),
      { numRuns: 60 },
    );
  });

  it.each([
    ['arrays', undefined],
    ['full chunks packed', packNumbers],
  ] as const)('holds what a sorted set holds when values mostly arrive in ascending order, as agent numbers do (%s)', (_kind, pack) => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(9), fc.integer({ min: 0, max: 6000 })), { maxLength: 3000 }), fc.integer({ min: -1, max: 6000 }), (steps, after) => {
        const chunks = new SortedChunks(byNumber, pack);
        const model = new Set<number>();
        let next = 0;
        for (const [roll, value] of steps) {
          // Most steps add the next number above all others; some add anywhere, some delete.
          const [adding, target] = roll < 7 ? [true, next++] : [roll === 7, value];
          expect(adding ? chunks.add(target) : chunks.delete(target)).toBe(adding !== model.has(target));
          if (adding) model.add(target);
          else model.delete(target);
        }
        const sorted = [...model].sort(byNumber);
        expect([...chunks.after()]).toEqual(sorted);
        expect([...chunks.after(after)]).toEqual(sorted.filter((v) => v > after));
        for (const value of [after, after + 1, sorted[0] ?? 0]) expect(chunks.has(value)).toBe(model.has(value));
        expect(chunks.size).toBe(model.size);
      }),
      { numRuns: 40 },
    );
  });

  it('packs agent numbers into 32 bits only when every one of them fits', () => {
    expect(packNumbers([1, 2, 0xffffffff])).toBeInstanceOf(Uint32Array);
    expect(packNumbers([1, 2 ** 32])).toEqual([1, 2 ** 32]);
  });

  it('samples values spread evenly over all of them, in order', () => {
    for (const chunks of [new SortedChunks(byNumber), new SortedChunks(byNumber, packNumbers)]) {
      for (let i = 0; i < 2000; i++) chunks.add(i * 3);
      expect(chunks.sample(10)).toEqual([0, 600, 1200, 1800, 2400, 3000, 3600, 4200, 4800, 5400]);
    }
    expect(new SortedChunks(byNumber).sample(5)).toEqual([]);
  });
});
