import { raceDeadline } from '../deadline.js';

/** A script's arguments: text, and a card as the hash keeps it (bytes, when packed). */
export type ScriptArg = string | Buffer;

/** One save's keys and arguments, as `lua/save-agents.lua` takes each of its saves. */
export interface SaveCall {
  keys: readonly ScriptArg[];
  args: readonly ScriptArg[];
  /** The index terms it writes: what its Redis time grows with. */
  terms: number;
}

/** The bounds of a batch of saves. */
export interface SaveBatchLimits {
  /** Most saves one script run makes. @defaultValue 16 */
  saves: number;
  /**
   * Most index terms one script run writes, over all its saves: each costs Redis a few
   * microseconds, and every other client waits while a script runs. A save with more runs alone.
   * @defaultValue 1024
   */
  terms: number;
  /** Most batches sent and not answered yet; saves that arrive meanwhile wait to form the next one. @defaultValue 2 */
  inFlight: number;
  /**
   * Longest a batch may go unanswered: its saves then fail as of unknown outcome, and its place
   * goes to the next batch. The connection's own deadline fires first; this one keeps a command
   * the connection never settles (one stranded by a connection lost in a failover) from holding
   * every later save back. @defaultValue 10000
   */
  deadlineMs: number;
}

export const DEFAULT_SAVE_BATCH_LIMITS: Readonly<SaveBatchLimits> = { saves: 16, terms: 1024, inFlight: 2, deadlineMs: 10_000 };

/** How saves are batched, and who is told of each batch. */
export interface SaveBatchOptions {
  /** Told how many saves each batch sent holds, for metrics. @defaultValue does nothing */
  onBatch?: (saves: number) => void;
  /** @defaultValue {@link DEFAULT_SAVE_BATCH_LIMITS} */
  limits?: Readonly<SaveBatchLimits>;
}

/** Runs a batch: every save's keys, then every save's arguments, and answers one reply per save, in order. */
export type RunSaveBatch = (keys: ScriptArg[], args: ScriptArg[]) => Promise<unknown[][]>;

/** A batch Redis did not answer within its deadline: its saves may or may not have run. */
export class SaveBatchDeadlineError extends Error {
  constructor(deadlineMs: number) {
    super(`Redis did not answer the batch of saves within ${deadlineMs} ms`);
  }
}

/** A save never sent: the batch sent before it failed, so Redis did not run it. */
export class SaveNotSentError extends Error {
  constructor(cause: Error) {
    super(`The save was not sent: the batch of saves before it failed (${cause.message})`);
  }
}

interface Queued {
  call: SaveCall;
  resolve: (reply: unknown[]) => void;
  reject: (error: Error) => void;
}

/**
 * Sends saves to Redis in batches, one script run each (group commit). A save sent while fewer
 * than `inFlight` batches are out goes at once, alone, so a quiet registry waits for nothing.
 * Under load, the saves that arrive while batches are out go together in the next: the counts of
 * the index terms they share are read and written once, and Redis runs one script, not many. When
 * Redis fails a whole batch, the saves waiting then fail at once, unsent ({@link SaveNotSentError}).
 */
export class SaveBatches {
  private queue: Queued[] = [];
  private inFlight = 0;

  private readonly onBatch: (saves: number) => void;
  private readonly limits: Readonly<SaveBatchLimits>;

  constructor(
    private readonly run: RunSaveBatch,
    { onBatch = () => {}, limits = DEFAULT_SAVE_BATCH_LIMITS }: SaveBatchOptions = {},
  ) {
    this.onBatch = onBatch;
    this.limits = limits;
  }

  /** The reply of one save; rejects when its batch failed, or the save failed in it. */
  save(call: SaveCall): Promise<unknown[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ call, resolve, reject });
      this.sendWhileRoom();
    });
  }

  private sendWhileRoom(): void {
    while (this.inFlight < this.limits.inFlight && this.queue.length > 0) void this.send(this.nextBatch());
  }

  /** The saves at the head of the queue that fit one batch: always the first, however many terms it has. */
  private nextBatch(): Queued[] {
    let count = 1;
    let terms = (this.queue[0] as Queued).call.terms;
    while (count < this.queue.length && count < this.limits.saves) {
      terms += (this.queue[count] as Queued).call.terms;
      if (terms > this.limits.terms) break;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async send(batch: Queued[]): Promise<void> {
    this.inFlight++;
    this.onBatch(batch.length);
    try {
      const { deadlineMs } = this.limits;
      const replies = await raceDeadline(
        this.run(
          batch.flatMap(({ call }) => call.keys),
          batch.flatMap(({ call }) => call.args),
        ),
        deadlineMs,
        () => {
          throw new SaveBatchDeadlineError(deadlineMs);
        },
      );
      batch.forEach(({ resolve, reject }, index) => {
        const reply = replies[index];
        if (reply === undefined) reject(new Error(`The save script answered ${replies.length} saves of ${batch.length}`));
        else if (reply[0] === 'failed') reject(new Error(`The save failed in Redis: ${String(reply[1])}`));
        else resolve(reply);
      });
    } catch (error) {
      for (const { reject } of batch) reject(error as Error);
      // Redis failed the whole batch (down, stalled past the command timeout): each save waiting
      // behind it would wait for the same failure in turn, a timeout per batch.
      for (const { reject } of this.queue.splice(0)) reject(new SaveNotSentError(error as Error));
    } finally {
      this.inFlight--;
      this.sendWhileRoom();
    }
  }
}
