import type { Redis } from 'ioredis';
import { WriteUnconfirmedError } from '../errors.js';

/** How many replicas must hold a write before it is answered as stored, and how long to wait for them. */
export interface ReplicaWaitSettings {
  /** @defaultValue 0 (no waiting; then no ReplicaWait is built) */
  replicas: number;
  /** @defaultValue 1000 */
  timeoutMs: number;
}

const ignore = () => {};

/**
 * Confirms writes with Redis `WAIT`, which answers how many replicas acknowledged everything its
 * connection wrote before it. So one WAIT confirms every earlier write of its connection: writes
 * that finish while one is out share the next one (group commit), and a busy process sends about
 * one WAIT per replica round trip, not one per write. WAIT blocks its connection until it is
 * answered, so the writes it confirms run on a connection of their own and reads never queue behind it.
 */
export class ReplicaWait {
  /** The WAIT out now, and the one that follows it for writes that finished after it was sent. */
  private current: Promise<number> | undefined;
  private queued: Promise<number> | undefined;
  /** Counts the connection's closes: a WAIT on a new connection says nothing of writes sent on the old one. */
  private generation = 0;

  constructor(
    /** The connection every write to be confirmed is sent on. */
    readonly connection: Redis,
    private readonly settings: ReplicaWaitSettings,
    /** Told of every write answered as unconfirmed, for metrics. @defaultValue does nothing */
    private readonly onUnconfirmed: () => void = () => {},
  ) {
    connection.on('close', () => this.generation++);
  }

  /** Taken just before a write is sent, and given back to {@link confirm}. */
  mark(): number {
    return this.generation;
  }

  /**
   * Resolves once enough replicas hold every write sent on the connection since `mark` was taken;
   * otherwise throws WriteUnconfirmedError, saying that `what` was stored on the primary only.
   */
  async confirm(mark: number, what: string): Promise<void> {
    const problem = await this.problem(mark);
    if (problem) {
      this.onUnconfirmed();
      throw new WriteUnconfirmedError(`${what} was stored on the Redis primary, but ${problem}`);
    }
  }

  /** Why the writes sent since `mark` are not confirmed, or undefined when they are. */
  private async problem(mark: number): Promise<string | undefined> {
    const { replicas, timeoutMs } = this.settings;
    let acknowledged: number;
    try {
      acknowledged = await this.nextWait();
    } catch (error) {
      return `whether its replicas hold it is unknown (${(error as Error).message}); read it back to check`;
    }
    if (this.generation !== mark) return 'the connection was lost before its replicas confirmed it; read it back to check';
    if (acknowledged < replicas) {
      return `only ${acknowledged} of the ${replicas} replicas required confirmed it within ${timeoutMs} ms: it is lost if the primary fails before they catch up`;
    }
    return undefined;
  }

  /** A WAIT sent after this call: the one out now may have been sent before the caller's write. */
  private nextWait(): Promise<number> {
    if (!this.current) return this.send();
    this.queued ??= this.current.then(ignore, ignore).then(() => {
      this.queued = undefined;
      return this.send();
    });
    return this.queued;
  }

  private send(): Promise<number> {
    const wait = this.connection.wait(this.settings.replicas, this.settings.timeoutMs);
    this.current = wait;
    const settled = () => {
      if (this.current === wait) this.current = undefined;
    };
    wait.then(settled, settled);
    return wait;
  }
}
