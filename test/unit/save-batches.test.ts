import { describe, expect, it } from 'vitest';
import { SaveBatchDeadlineError, SaveBatches, SaveNotSentError, type SaveCall } from '../../src/store/save-batches.js';

/** A save with one key and one argument, both its name, writing `terms` index terms. */
const call = (name: string, terms = 10): SaveCall => ({ keys: [`key:${name}`], args: [name], terms });

/** Script runs that finish only when told to; each answers its saves' names, or 'failed' for a name starting with 'bad'. */
class Runs {
  readonly batches: { keys: string[]; args: string[] }[] = [];
  private readonly finishers: ((outcome: Error | undefined) => void)[] = [];

  run = (keys: (string | Buffer)[], args: (string | Buffer)[]): Promise<unknown[][]> => {
    const batch = { keys: keys.map(String), args: args.map(String) };
    this.batches.push(batch);
    return new Promise((resolve, reject) => {
      this.finishers.push((error) => {
        if (error) reject(error);
        else resolve(batch.args.map((name) => (name.startsWith('bad') ? ['failed', `WRONGTYPE for ${name}`] : ['ok', name])));
      });
    });
  };

  /** Finishes the oldest run not finished yet. */
  finish(error?: Error): void {
    this.finishers.shift()?.(error);
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('SaveBatches', () => {
  it('sends a save at once, alone, while fewer batches than the bound are out', async () => {
    const runs = new Runs();
    const batches = new SaveBatches(runs.run, { limits: { saves: 16, terms: 1024, inFlight: 2, deadlineMs: 10_000 } });
    const first = batches.save(call('a'));
    expect(runs.batches).toEqual([{ keys: ['key:a'], args: ['a'] }]);
    runs.finish();
    await expect(first).resolves.toEqual(['ok', 'a']);
  });

  it('puts the saves that arrive while the bound is out into the next batch, keys first, in arrival order', async () => {
    const runs = new Runs();
    const batches = new SaveBatches(runs.run, { limits: { saves: 16, terms: 1024, inFlight: 2, deadlineMs: 10_000 } });
    const replies = ['a', 'b', 'c', 'd', 'e'].map((name) => batches.save(call(name)));
    expect(runs.batches.map((batch) => batch.args)).toEqual([['a'], ['b']]);
    runs.finish();
    await settle();
    expect(runs.batches[2]).toEqual({ keys: ['key:c', 'key:d', 'key:e'], args: ['c', 'd', 'e'] });
    runs.finish();
    runs.finish();
    expect(await Promise.all(replies)).toEqual(['a', 'b', 'c', 'd', 'e'].map((name) => ['ok', name]));
  });

  it('bounds a batch by its saves and by the index terms they write, but always takes one save', async () => {
    const runs = new Runs();
    const sizes: number[] = [];
    const batches = new SaveBatches(runs.run, { onBatch: (saves) => sizes.push(saves), limits: { saves: 3, terms: 100, inFlight: 1, deadlineMs: 10_000 } });
    const replies = [
      batches.save(call('first')),
      ...['a', 'b', 'c', 'd'].map((name) => batches.save(call(name, 10))),
      batches.save(call('huge', 500)),
      batches.save(call('e', 60)),
      batches.save(call('f', 50)),
    ];
    for (let run = 0; run < 6; run++) {
      runs.finish();
      await settle();
    }
    expect(runs.batches.map((batch) => batch.args)).toEqual([['first'], ['a', 'b', 'c'], ['d'], ['huge'], ['e'], ['f']]);
    expect(sizes).toEqual([1, 3, 1, 1, 1, 1]);
    await Promise.all(replies);
  });

  it('fails only the save that failed in Redis, and every save of a batch that failed whole', async () => {
    const runs = new Runs();
    const batches = new SaveBatches(runs.run, { limits: { saves: 16, terms: 1024, inFlight: 1, deadlineMs: 10_000 } });
    const lost = batches.save(call('lost'));
    runs.finish(new Error('Connection is closed.'));
    await expect(lost).rejects.toThrow('Connection is closed.');
    const first = batches.save(call('first'));
    const replies = ['a', 'bad-one', 'b'].map((name) => batches.save(call(name)));
    runs.finish();
    await expect(first).resolves.toEqual(['ok', 'first']);
    await settle();
    expect(runs.batches.map((batch) => batch.args)).toEqual([['lost'], ['first'], ['a', 'bad-one', 'b']]);
    runs.finish();
    const [a, bad, b] = await Promise.allSettled(replies);
    expect(a).toEqual({ status: 'fulfilled', value: ['ok', 'a'] });
    expect(bad).toMatchObject({ status: 'rejected', reason: { message: 'The save failed in Redis: WRONGTYPE for bad-one' } });
    expect(b).toEqual({ status: 'fulfilled', value: ['ok', 'b'] });
  });

  it('fails the saves waiting behind a batch that failed whole, unsent, and sends the ones that come after', async () => {
    const runs = new Runs();
    const batches = new SaveBatches(runs.run, { limits: { saves: 16, terms: 1024, inFlight: 1, deadlineMs: 10_000 } });
    const failed = batches.save(call('a'));
    const waiting = [batches.save(call('b')), batches.save(call('c'))];
    runs.finish(new Error('Command timed out'));
    await expect(failed).rejects.toThrow('Command timed out');
    for (const save of waiting) {
      await expect(save).rejects.toThrow(SaveNotSentError);
      await expect(save).rejects.toThrow('The save was not sent: the batch of saves before it failed (Command timed out)');
    }
    expect(runs.batches).toHaveLength(1);
    const later = batches.save(call('d'));
    runs.finish();
    await expect(later).resolves.toEqual(['ok', 'd']);
  });

  it('gives up on a batch Redis never answers: its saves fail as of unknown outcome, the ones behind it unsent, and the next goes out', async () => {
    const runs = new Runs();
    const batches = new SaveBatches(runs.run, { limits: { saves: 16, terms: 1024, inFlight: 1, deadlineMs: 50 } });
    const stranded = batches.save(call('stranded'));
    const waiting = batches.save(call('waiting'));
    await expect(stranded).rejects.toThrow(SaveBatchDeadlineError);
    await expect(waiting).rejects.toThrow(SaveNotSentError);
    const later = batches.save(call('later'));
    expect(runs.batches.map((batch) => batch.args)).toEqual([['stranded'], ['later']]);
    runs.finish();
    runs.finish();
    await expect(later).resolves.toEqual(['ok', 'later']);
  });
});
