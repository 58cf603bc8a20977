import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { responsiveTimeout } from './event-loop-stalls.js';

/** How often a connection that is open but stopped answering is asked again (PING), in milliseconds. */
const PROBE_INTERVAL_MS = 500;

/**
 * Whether Redis answers, as one fact per process: an outage logs one warning when it begins and one
 * info line with its duration when it ends, however many reconnection attempts and failed commands
 * happen in between. It begins when the command connection drops or cannot connect, or when a
 * command gets no answer within its (event-loop-aware) timeout on an open connection (a stalled
 * Redis); it ends when the connection is ready again or a PING answers.
 */
export class RedisHealth {
  private downSince: number | undefined;
  private probe: NodeJS.Timeout | undefined;
  private redis: Redis | undefined;
  private stopped = false;

  constructor(private readonly logger: Logger) {}

  /** Whether Redis answered lately (true until something says otherwise). */
  get isUp(): boolean {
    return this.downSince === undefined && (this.redis === undefined || this.redis.status === 'ready');
  }

  /**
   * Whether Redis is up and answers a PING within `timeoutMs` of this process's free time: a
   * stalled Redis keeps its connection open, so only a question tells.
   */
  answers(timeoutMs: number): Promise<boolean> {
    const redis = this.redis;
    if (!this.isUp || !redis) return Promise.resolve(false);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      responsiveTimeout(timeoutMs, () => resolve(false), (armed) => (timer = armed));
      redis.ping().then(
        () => resolve(true),
        () => resolve(false),
      ).finally(() => clearTimeout(timer));
    });
  }

  /** Follows `redis`, the command connection, from now on. */
  watch(redis: Redis): void {
    this.redis = redis;
    redis.on('error', (error: Error) => this.down(describe(error)));
    redis.on('close', () => this.down('connection closed'));
    redis.on('ready', () => this.up());
  }

  /** A command got no answer in time although the connection is open. */
  commandTimedOut(timeoutMs: number): void {
    if (this.downSince !== undefined || this.stopped) return;
    this.down(`no answer within ${timeoutMs} ms`);
    this.probe = setInterval(() => {
      if (this.redis?.status === 'ready') this.redis.ping().then(() => this.up(), () => {});
    }, PROBE_INTERVAL_MS);
    this.probe.unref();
  }

  /** Stops probing, for shutdown: closing the connection then is no outage. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.probe);
  }

  private down(reason: string): void {
    if (this.downSince !== undefined || this.stopped) return;
    this.downSince = Date.now();
    this.logger.warn({ reason }, 'Redis unreachable: requests that need it answer 503 until it is back');
  }

  private up(): void {
    clearInterval(this.probe);
    this.probe = undefined;
    if (this.downSince === undefined) return;
    const outageSeconds = (Date.now() - this.downSince) / 1000;
    this.downSince = undefined;
    this.logger.info({ outageSeconds }, 'Redis reachable again');
  }
}

/** An error as one short phrase (its code and message), never its stack. */
function describe(error: Error & { code?: unknown }): string {
  return typeof error.code === 'string' && !error.message.includes(error.code) ? `${error.code}: ${error.message}` : error.message;
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/**
 * Whether `error` only says that Redis cannot be reached (logged once per outage by RedisHealth),
 * rather than something wrong with a command.
 */
export function isConnectionError(error: Error & { code?: unknown }): boolean {
  return (typeof error.code === 'string' && CONNECTION_ERROR_CODES.has(error.code)) || /Connection is closed|Stream isn't writeable|connect ETIMEDOUT/.test(error.message);
}
