import { performance } from 'node:perf_hooks';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { raceDeadline } from '../deadline.js';
import type { Logger } from '../logger.js';
import { responsiveTimeout } from './event-loop-stalls.js';
import type { RedisEndpoint } from './redis-endpoint.js';
import { RedisHealth } from './redis-health.js';

/** What a Redis connection of this process is for; `CLIENT LIST` names it `a2a-<role>-<pid>`. */
export type ConnectionRole = 'commands' | 'writes' | 'invalidations' | 'sweep';

export interface RedisConnectionOptions {
  endpoint: RedisEndpoint;
  /** @defaultValue `commands` */
  role?: Extract<ConnectionRole, 'commands' | 'writes'>;
  /**
   * Bound of one command, in milliseconds, so no request hangs on a silent Redis: the command fails
   * once Redis has sent nothing for this long. Only time during which this process's event loop was
   * free counts, and while replies keep coming the command waits its turn: a busy replica is not a
   * Redis outage.
   */
  commandTimeoutMs: number;
  logger: Logger;
  /** Told of every connection error, for metrics. @defaultValue does nothing */
  onError?: (error: Error) => void;
  /** Learns of outages and their ends from this connection. @defaultValue a health of its own */
  health?: RedisHealth;
}

/** Longest pause between reconnection attempts, in milliseconds. */
const MAX_RECONNECT_DELAY_MS = 2000;

/** One backoff for every reconnection (doubling from 100 ms up to 2 s), forever. */
const reconnectDelay = (attempt: number) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);

/** The options every connection shares: its name, and one backoff forever. */
const commonOptions = (role: ConnectionRole) => ({ connectionName: `a2a-${role}-${process.pid}`, retryStrategy: reconnectDelay });

/**
 * Opens one connection to `endpoint` with `options`: every connection of the registry comes from
 * here (through the functions below), so commands, the invalidation feed, BullMQ and rate limits
 * follow the same Redis through a failover.
 *
 * Sentinel: the primary is asked of the Sentinels at every (re)connection, and `failoverDetector`
 * has the connection drop as soon as a Sentinel announces a new primary, so that a primary that is
 * frozen rather than dead (its sockets stay open) is left too. A READONLY answer (the old primary
 * came back as a replica) also reconnects.
 *
 * Cluster: ioredis's Cluster client, which speaks the same commands; every key shares one hash
 * slot (the `{hash tag}` of REDIS_PREFIX), so each script runs on the node that owns that slot.
 */
function openRedis(endpoint: RedisEndpoint, options: RedisOptions): Redis {
  if (endpoint.mode === 'single') return new Redis(endpoint.url, options);
  const { username, password } = endpoint;
  const tls = endpoint.tls ? {} : undefined;
  if (endpoint.mode === 'sentinel') {
    return reviveAfterEnd(new Redis({
      ...options,
      sentinels: endpoint.sentinels,
      name: endpoint.masterName,
      sentinelPassword: endpoint.sentinelPassword,
      username,
      password,
      tls,
      enableTLSForSentinelMode: endpoint.tls,
      sentinelRetryStrategy: reconnectDelay,
      failoverDetector: true,
      // When the failover detector drops the connection, ioredis half-closes the socket and keeps
      // reading it for disconnectTimeout (2 s by default): a frozen old primary resumed in that
      // time ran the commands still waiting in its socket and its replies were taken as
      // acknowledgements, of writes the Sentinels' demotion of it then discarded. Cut it at once.
      disconnectTimeout: 0,
      reconnectOnError: (error) => error.message.startsWith('READONLY'),
    }));
  }
  const { enableOfflineQueue, retryStrategy, ...nodeOptions } = options;
  // The Cluster client has the shape of one connection for everything the registry calls.
  return new Cluster(endpoint.nodes, {
    enableOfflineQueue: enableOfflineQueue ?? true,
    clusterRetryStrategy: (attempt) => retryStrategy?.(attempt) ?? reconnectDelay(attempt),
    slotsRefreshTimeout: Math.max(options.connectTimeout ?? 0, 1000),
    redisOptions: { ...nodeOptions, username, password, tls },
  }) as unknown as Redis;
}

/** A command that got no answer within its timeout: it may or may not have run. */
export class CommandTimeoutError extends Error {
  override readonly name = 'CommandTimeoutError';
  constructor(timeoutMs: number) {
    super(`Redis did not answer within ${timeoutMs} ms`);
  }
}

/** The part of an ioredis command the connection's own deadline uses. */
interface PendingCommand {
  isResolved: boolean;
  reject(error: Error): void;
  /** ioredis's own timer field: it clears whatever timer is here once the command settles. */
  _commandTimeoutTimer?: NodeJS.Timeout;
}

/** Connections {@link closeRedis} closed: any other that ends was given up by ioredis. */
const closedOnPurpose = new WeakSet<Redis>();

/**
 * ioredis ends a Sentinel connection for good when its failover detector drops it while it is still
 * asking the Sentinels for the primary: after a kill, the Sentinels' announcement of the new
 * primary often arrives during that reconnection, and the process would stay cut off until
 * restarted. Such a connection is opened again, after the first reconnection delay, as often as it
 * ends; one closed on purpose stays closed.
 */
function reviveAfterEnd(redis: Redis): Redis {
  redis.on('end', () => {
    setTimeout(() => {
      if (!closedOnPurpose.has(redis) && redis.status === 'end') redis.connect().catch(() => {});
    }, reconnectDelay(1)).unref();
  });
  return redis;
}

/**
 * A command connection for request paths: commands fail at once while disconnected (no offline
 * queue), so clients get a fast 503 instead of a hang, and it reconnects by itself forever.
 */
export function createRedisConnection({ endpoint, role = 'commands', commandTimeoutMs, logger, onError, health = new RedisHealth(logger) }: RedisConnectionOptions): Redis {
  const cluster = endpoint.mode === 'cluster';
  const redis = openRedis(endpoint, {
    ...commonOptions(role),
    enableOfflineQueue: false,
    // Off: ioredis keeps one auto-pipeline in flight per connection, so under load every command
    // waited for the whole previous batch's round trip. Each command now goes out at once (a syscall
    // more each, gathered per event-loop turn by sendOneWritePerTurn). Explicit pipelines still batch.
    enableAutoPipelining: false,
    // No commandTimeout here: ioredis's timer fires before a reply that waits unread in the socket
    // while the event loop is busy, and a burst of requests for large pages then all failed as if
    // Redis were down. sendWithDeadline counts only the time the loop was free.
    maxRetriesPerRequest: 1,
    connectTimeout: Math.max(commandTimeoutMs, 2000),
    // A Cluster client has no one socket to watch: each node's connection bounds its commands itself.
    ...(cluster ? { commandTimeout: commandTimeoutMs } : {}),
  });
  // Errors are counted; the outage they belong to is logged once, by the health.
  redis.on('error', (error: Error) => onError?.(error));
  health.watch(redis);
  if (!cluster) {
    sendWithDeadline(redis, commandTimeoutMs, health);
    sendOneWritePerTurn(redis);
  }
  return redis;
}

/** The invalidation feed's connection: it only subscribes, and subscribes again after each reconnection. */
export function createSubscriberConnection(endpoint: RedisEndpoint): Redis {
  return openRedis(endpoint, commonOptions('invalidations'));
}

/**
 * BullMQ's connection for the worker's queues: BullMQ requires `maxRetriesPerRequest: null`, as its
 * blocking commands wait as long as they must. BullMQ never closes a connection it is handed: the
 * owner closes it with {@link closeRedis}.
 */
export function createQueueConnection(endpoint: RedisEndpoint): Redis {
  return openRedis(endpoint, { ...commonOptions('sweep'), maxRetriesPerRequest: null });
}

/**
 * Fails a command once Redis has been silent for `timeoutMs` of the event loop's free time since it
 * was sent. Replies come in order on one connection, so a command behind many large replies waits
 * while they arrive: a burst of requests for large pages is a busy replica, not a Redis outage.
 */
function sendWithDeadline(redis: Redis, timeoutMs: number, health: RedisHealth): void {
  let lastReplyAt = performance.now();
  redis.on('connect', () => redis.stream.on('data', () => (lastReplyAt = performance.now())));
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    const pending = command as unknown as PendingCommand;
    const decide = () => {
      if (pending.isResolved) return;
      const silentMs = performance.now() - lastReplyAt;
      if (silentMs < timeoutMs) return arm(timeoutMs - silentMs);
      pending.reject(new CommandTimeoutError(timeoutMs));
      health.commandTimedOut(timeoutMs);
    };
    // Timers run before the loop reads its sockets: setImmediate lets it read what arrived first.
    const arm = (ms: number) => responsiveTimeout(ms, () => setImmediate(decide), (timer) => (pending._commandTimeoutTimer = timer));
    arm(timeoutMs);
    return send(command, stream);
  };
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

/** How long closing a connection waits for Redis to acknowledge QUIT before it cuts the socket. */
const QUIT_WAIT_MS = 1000;

/**
 * Closes any connection, whatever Redis's state: QUIT when it answers, else the socket is cut. A
 * QUIT sent while disconnected would wait in the offline queue (BullMQ's connection keeps one)
 * behind commands that never go out, and shutdown would run into its deadline.
 */
export async function closeRedis(redis: Redis): Promise<void> {
  closedOnPurpose.add(redis);
  if (redis.status !== 'ready') return redis.disconnect();
  await raceDeadline(redis.quit().catch(() => {}), QUIT_WAIT_MS, () => undefined);
  redis.disconnect();
}
