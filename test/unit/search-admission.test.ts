import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/errors.js';
import { SearchAdmission, type SearchAdmissionOptions } from '../../src/search/search-admission.js';
import type { TermSearch, TermSearchPage } from '../../src/store/agent-store.js';

const searchFor = (...terms: string[]): TermSearch => ({ terms, preferred: [], includeInactive: false, wanted: 21 });
const pageOf = (work: number): TermSearchPage => ({ hits: [], total: 0, totalExact: true, work });

/** Walks that finish only when told to, and what ran when. */
class Walks {
  readonly started: string[] = [];
  private readonly finishers = new Map<string, (page: TermSearchPage) => void>();
  private readonly failers = new Map<string, (error: Error) => void>();
  running = 0;
  mostAtOnce = 0;

  walk = (search: TermSearch): Promise<TermSearchPage> => {
    const name = search.terms.join('+');
    this.started.push(name);
    this.running++;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.running);
    return new Promise<TermSearchPage>((resolve, reject) => {
      this.finishers.set(name, resolve);
      this.failers.set(name, reject);
    }).finally(() => this.running--);
  };

  finish(name: string, work: number): void {
    this.finishers.get(name)?.(pageOf(work));
  }

  fail(name: string): void {
    this.failers.get(name)?.(new Error('Redis went away'));
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const options = (changes: Partial<SearchAdmissionOptions> = {}): SearchAdmissionOptions => ({
  concurrency: 2,
  costlyWork: 100,
  maxWaiting: 10,
  rememberedShapes: 100,
  ...changes,
});

/** Runs `search` once to completion so that its shape's cost is remembered. */
async function learn(admission: SearchAdmission, search: TermSearch, work: number): Promise<void> {
  await admission.run(search, async () => pageOf(work));
}

describe('turns for costly search walks', () => {
  it('runs at most `concurrency` walks of unknown or costly shapes at once, the others in arrival order', async () => {
    const admission = new SearchAdmission(options());
    const walks = new Walks();
    const answers = ['a', 'b', 'c', 'd', 'e'].map((name) => admission.run(searchFor(name), walks.walk));
    await settle();
    expect(walks.started).toEqual(['a', 'b']);
    expect(admission.queued).toBe(3);
    walks.finish('b', 500);
    await settle();
    expect(walks.started).toEqual(['a', 'b', 'c']);
    for (const name of ['a', 'c', 'd', 'e']) {
      walks.finish(name, 500);
      await settle();
    }
    expect(walks.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(walks.mostAtOnce).toBe(2);
    expect((await Promise.all(answers)).map((page) => page.work)).toEqual([500, 500, 500, 500, 500]);
    expect(admission.queued).toBe(0);
  });

  it('lets a shape that was cheap last time run at once, beside any number of costly walks', async () => {
    const admission = new SearchAdmission(options());
    await learn(admission, searchFor('rare'), 40);
    const walks = new Walks();
    const costly = ['a', 'b', 'c'].map((name) => admission.run(searchFor(name), walks.walk));
    await settle();
    const rare = admission.run(searchFor('rare'), walks.walk);
    await settle();
    expect(walks.started).toEqual(['a', 'b', 'rare']);
    walks.finish('rare', 40);
    expect((await rare).work).toBe(40);
    for (const name of ['a', 'b']) walks.finish(name, 500);
    await settle();
    walks.finish('c', 500);
    await Promise.all(costly);
  });

  it('waits again for a shape whose walk grew costly, and lets it through once it is cheap again', async () => {
    const admission = new SearchAdmission(options({ concurrency: 1 }));
    const walks = new Walks();
    await learn(admission, searchFor('grows'), 10);
    await learn(admission, searchFor('grows'), 900);
    const busy = admission.run(searchFor('busy'), walks.walk);
    const grown = admission.run(searchFor('grows'), walks.walk);
    await settle();
    expect(walks.started).toEqual(['busy']);
    walks.finish('busy', 500);
    await settle();
    expect(walks.started).toEqual(['busy', 'grows']);
    walks.finish('grows', 10);
    await Promise.all([busy, grown]);
    const again = admission.run(searchFor('grows'), walks.walk);
    const blocker = admission.run(searchFor('other'), walks.walk);
    await settle();
    expect(walks.started.slice(2)).toEqual(['grows', 'other']);
    walks.finish('grows', 10);
    walks.finish('other', 500);
    await Promise.all([again, blocker]);
  });

  it("ends a costly walk's turn once the store says it has walked the index, before its answer, and only once", async () => {
    const admission = new SearchAdmission(options({ concurrency: 1 }));
    const walks = new Walks();
    const walked: (() => void)[] = [];
    const walk = (search: TermSearch) => {
      walked.push(search.onWalked ?? (() => {}));
      return walks.walk(search);
    };
    const answers = ['a', 'b', 'c'].map((name) => admission.run(searchFor(name), walk));
    await settle();
    expect(walks.started).toEqual(['a']);
    walked[0]?.();
    await settle();
    expect(walks.started).toEqual(['a', 'b']);
    // `a` answering now hands no second turn over: `c` waits for `b`.
    walks.finish('a', 500);
    walked[0]?.();
    await settle();
    expect(walks.started).toEqual(['a', 'b']);
    walks.finish('b', 500);
    await settle();
    expect(walks.started).toEqual(['a', 'b', 'c']);
    walks.finish('c', 500);
    expect((await Promise.all(answers)).map((page) => page.work)).toEqual([500, 500, 500]);
    expect(admission.queued).toBe(0);
  });

  it('passes the turn of a walk that failed to the next one', async () => {
    const admission = new SearchAdmission(options({ concurrency: 1 }));
    const walks = new Walks();
    const failing = admission.run(searchFor('a'), walks.walk);
    const next = admission.run(searchFor('b'), walks.walk);
    await settle();
    walks.fail('a');
    await expect(failing).rejects.toThrow('Redis went away');
    await settle();
    expect(walks.started).toEqual(['a', 'b']);
    walks.finish('b', 500);
    expect((await next).work).toBe(500);
    expect(admission.queued).toBe(0);
  });

  it('refuses a costly walk with a 503 when too many are waiting, without running it', async () => {
    const events: string[] = [];
    const admission = new SearchAdmission(options({ concurrency: 1, maxWaiting: 2 }), {
      onTurn: (seconds) => events.push(seconds === 0 ? 'at once' : 'waited'),
      onRefused: () => events.push('refused'),
    });
    const walks = new Walks();
    const admitted = ['a', 'b', 'c'].map((name) => admission.run(searchFor(name), walks.walk));
    const refused = admission.run(searchFor('d'), walks.walk);
    await expect(refused).rejects.toBeInstanceOf(UnavailableError);
    await expect(refused).rejects.toMatchObject({ status: 503, code: 'unavailable', headers: { 'Retry-After': '1' } });
    for (const name of ['a', 'b', 'c']) {
      await settle();
      walks.finish(name, 500);
    }
    await Promise.all(admitted);
    expect(walks.started).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['at once', 'refused', 'waited', 'waited']);
  });

  it('forgets the least recently run shapes beyond `rememberedShapes`: they wait again', async () => {
    const admission = new SearchAdmission(options({ concurrency: 1, rememberedShapes: 2 }));
    await learn(admission, searchFor('first'), 10);
    await learn(admission, searchFor('second'), 10);
    await learn(admission, searchFor('first'), 10);
    await learn(admission, searchFor('third'), 10);
    const walks = new Walks();
    const busy = admission.run(searchFor('busy'), walks.walk);
    await settle();
    const remembered = admission.run(searchFor('first'), walks.walk);
    const forgotten = admission.run(searchFor('second'), walks.walk);
    await settle();
    expect(walks.started).toEqual(['busy', 'first']);
    walks.finish('first', 10);
    walks.finish('busy', 500);
    await settle();
    expect(walks.started).toEqual(['busy', 'first', 'second']);
    walks.finish('second', 10);
    await Promise.all([busy, remembered, forgotten]);
  });

  it('tells shapes apart by their terms, preferred terms and whether inactive agents count, not by the cursor', async () => {
    const admission = new SearchAdmission(options({ concurrency: 1 }));
    await learn(admission, { ...searchFor('x'), preferred: ['ntok:x'] }, 10);
    const walks = new Walks();
    const busy = admission.run(searchFor('busy'), walks.walk);
    await settle();
    const samePage2 = admission.run({ ...searchFor('x'), preferred: ['ntok:x'], after: { tier: 1, agentNumber: 99 } }, walks.walk);
    const otherPreferred = admission.run(searchFor('x'), walks.walk);
    const withInactive = admission.run({ ...searchFor('x'), preferred: ['ntok:x'], includeInactive: true }, walks.walk);
    await settle();
    expect(walks.started).toEqual(['busy', 'x']);
    expect(admission.queued).toBe(2);
    walks.finish('x', 10);
    walks.finish('busy', 500);
    for (let i = 0; i < 2; i++) {
      await settle();
      walks.finish('x', 10);
    }
    await Promise.all([busy, samePage2, otherPreferred, withInactive]);
  });

  it('lets every walk run at once with concurrency 0', async () => {
    const admission = new SearchAdmission(options({ concurrency: 0 }));
    const walks = new Walks();
    const answers = ['a', 'b', 'c', 'd'].map((name) => admission.run(searchFor(name), walks.walk));
    await settle();
    expect(walks.started).toEqual(['a', 'b', 'c', 'd']);
    for (const name of ['a', 'b', 'c', 'd']) walks.finish(name, 500);
    await Promise.all(answers);
  });
});
