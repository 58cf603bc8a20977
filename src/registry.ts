import type { Server } from 'node:http';
import type { Express, Request } from 'express';
import { Redis } from 'ioredis';
import type { JSONWebKeySet } from 'jose';
import { agentRoutes } from './agents/agent-routes.js';
import { PAGE_CACHE_BYTES, PageJsonCache } from './agents/page-json-cache.js';
import { AgentService } from './agents/agent-service.js';
import { accessRoutes, authenticatorOf, jsonRpcBudget, restBudget } from './auth/access-routes.js';
import { storedCards } from './agents/stored-cards.js';
import { CachingAgentStore } from './cache/caching-agent-store.js';
import { InvalidationSubscriber } from './cache/invalidation-subscriber.js';
import { RecordCache } from './cache/record-cache.js';
import type { Config } from './config/config.js';
import { ExpirySweep } from './heartbeats/expiry-sweep.js';
import { HeartbeatService } from './heartbeats/heartbeat-service.js';
import { bullSweepScheduler, timerSweepScheduler, type SweepScheduler } from './heartbeats/sweep-scheduler.js';
import { createApp, type Routes } from './http/app.js';
import { closeServer, listenOn } from './http/http-server.js';
import { jsonBody } from './http/json-body.js';
import { JsonRpcDispatcher } from './jsonrpc/jsonrpc-dispatcher.js';
import { jsonRpcRoutes } from './jsonrpc/jsonrpc-routes.js';
import { registryMethods } from './jsonrpc/registry-methods.js';
import type { Logger } from './logger.js';
import { Metrics } from './metrics/metrics.js';
import { createSafeFetcher } from './outbound/safe-fetch.js';
import { MemoryRateLimiter, type Budget, type RateLimiter } from './rate-limit/rate-limiter.js';
import { rateLimit } from './rate-limit/rate-limit-middleware.js';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.js';
import { SearchService } from './search/search-service.js';
import { metricsRoutes, serviceInfoRoutes } from './service-info/service-info-routes.js';
import { signaturePolicy } from './signatures/signature-policy.js';
import { CardRefresher } from './sources/card-refresher.js';
import type { AgentStore } from './store/agent-store.js';
import { MemoryAgentStore } from './store/memory-agent-store.js';
import { RedisAgentStore } from './store/redis-agent-store.js';
import { createRedisConnection, waitUntilReady } from './store/redis-connection.js';
import { redisKeys } from './store/redis-keys.js';
import { warnOfLooseRedisSettings } from './store/redis-settings.js';
import { VERSION } from './version.js';

/** How long start-up waits for Redis before serving (with 503s until it answers). */
const REDIS_STARTUP_WAIT_MS = 5000;

/** A wired registry: its HTTP application and the means to start and stop it. */
export interface Registry {
  app: Express;
  store: AgentStore;
  metrics: Metrics;
  /** Starts the HTTP server (and, in the worker role, the sweep) on the configured host and port. */
  listen(): Promise<Server>;
  /**
   * Graceful stop: readiness fails at once, the server stops accepting, in-flight requests and a
   * running sweep finish, connections close. Resolves true when all of it fit the deadline.
   */
  close(): Promise<boolean>;
}

/** The Redis-backed parts: the store behind a replica cache fed by the invalidation channel. */
function redisParts(config: Config & { redisUrl: string }, logger: Logger, metrics: Metrics) {
  const keys = redisKeys(config.redisPrefix);
  const connection = createRedisConnection({
    url: config.redisUrl,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    logger,
    onError: () => metrics.redisErrors.inc(),
  });
  const cache = new RecordCache(
    { maxEntries: config.cacheMaxEntries, maxBytes: config.cacheMaxBytes },
    { onHit: () => metrics.cacheHits.inc(), onMiss: () => metrics.cacheMisses.inc(), onEvict: () => metrics.cacheEvictions.inc() },
  );
  metrics.cacheSize = () => cache.size;
  const subscriber = new InvalidationSubscriber({
    connection: new Redis(config.redisUrl, { connectionName: `a2a-invalidations-${process.pid}`, retryStrategy: (n) => Math.min(50 * 2 ** n, 2000) }),
    channel: keys.invalidations,
    cache,
    logger,
    onInvalidation: (lag) => {
      metrics.invalidations.inc();
      metrics.invalidationLag.observe(lag);
    },
  });
  const redisStore = new RedisAgentStore(connection, keys, storedCards, () => metrics.redisErrors.inc());
  const checkLayout = async () => {
    const problem = await redisStore.checkLayout().catch((error: Error) => logger.warn({ err: error }, 'Could not check the data layout'));
    if (problem) logger.error(problem);
  };
  // Again on every reconnection: the Redis that answers may not be the one that did.
  connection.on('ready', () => void checkLayout());
  const store = new CachingAgentStore(redisStore, cache);
  return { connection, subscriber, store, checkLayout };
}

/** The composition root: builds every part once for the configured role and hands each its dependencies. */
export async function createRegistry(config: Config, logger: Logger): Promise<Registry> {
  const metrics = new Metrics();
  const redis = config.redisUrl ? redisParts({ ...config, redisUrl: config.redisUrl }, logger, metrics) : undefined;
  if (redis && !(await waitUntilReady(redis.connection, REDIS_STARTUP_WAIT_MS))) {
    logger.warn('Redis did not answer at start-up; serving 503 until it does');
  } else if (redis) {
    await warnOfLooseRedisSettings(redis.connection, logger);
    await redis.checkLayout();
  }
  const store: AgentStore = redis?.store ?? new MemoryAgentStore(storedCards);
  const servesApi = config.role !== 'worker';
  const runsSweep = config.role !== 'api';

  const fetcher = createSafeFetcher(config.outbound);
  const signatures = signaturePolicy({
    requireSigned: config.signatures.requireSigned,
    trustedJwks: config.signatures.trustedJwks as JSONWebKeySet | undefined,
    originFetcher: config.signatures.originJwks ? fetcher : undefined,
  });
  const agents = new AgentService(store, {
    defaultTtlSeconds: config.heartbeatTtlSeconds,
    signatures,
    refreshIntervalSeconds: config.cardRefreshIntervalSeconds,
  });
  const expiry = new ExpirySweep(store, config.heartbeatGraceSeconds * 1000, metrics, logger);
  const refresher = new CardRefresher(store, agents, fetcher, logger);
  const sweep = async () => ({ ...(await expiry.run()), ...(await refresher.run()) });
  const intervalMs = config.sweepIntervalSeconds * 1000;
  const scheduler: SweepScheduler | undefined = !runsSweep
    ? undefined
    : config.redisUrl
      ? bullSweepScheduler({
          connection: new Redis(config.redisUrl, { maxRetriesPerRequest: null, connectionName: `a2a-sweep-${process.pid}` }),
          prefix: `${config.redisPrefix}bull`,
          intervalMs,
          sweep,
          logger,
        })
      : timerSweepScheduler(intervalMs, sweep, logger);

  metrics.agentCounts = async () => {
    const [active, all] = await Promise.all([store.count(), store.count(true)]);
    return { active, inactive: all - active };
  };
  if (scheduler) metrics.queueCounts = () => scheduler.jobCounts();
  const exposition = { text: () => metrics.registry.metrics(), contentType: metrics.registry.contentType };

  const authenticator = authenticatorOf(config.auth);
  if (authenticator.mode === 'none' && servesApi) {
    logger.warn('AUTH_MODE=none: anyone may register, change and delete agents. Set AUTH_MODE=apikey or jwt in production.');
  }

  let shuttingDown = false;
  const info = { version: VERSION, publicUrl: config.publicUrl, storeKind: store.kind };
  const routes: Routes[] = [
    serviceInfoRoutes({
      ...info,
      readiness: async () => ({
        accepting: !shuttingDown,
        store: await store.ping().then(() => true, () => false),
        ...(redis && servesApi ? { invalidations: redis.subscriber.isLive } : {}),
      }),
      ...(config.metricsPort === undefined ? { metrics: exposition } : {}),
    }),
  ];
  if (servesApi) {
    const limiter: RateLimiter = redis
      ? new RedisRateLimiter(redis.connection, config.redisPrefix, config.rateLimits, logger)
      : new MemoryRateLimiter(config.rateLimits);
    const limited = config.rateLimits.read > 0 || config.rateLimits.write > 0;
    const limit = (budgetOf: (req: Request) => Budget | undefined) =>
      limited ? rateLimit(limiter, config.rateLimits, budgetOf) : undefined;
    const search = new SearchService(store, (page) => {
      metrics.searchCandidates.observe(page.work);
      if (page.stoppedAt) metrics.searchBudgetStops.inc();
      if (!page.totalExact) metrics.searchEstimatedTotals.inc();
    });
    // A page is recognised by its record objects, which only the replica cache keeps from one read to the next.
    const pages = new PageJsonCache(redis && config.cacheMaxEntries > 0 ? PAGE_CACHE_BYTES : 0, {
      onHit: () => metrics.pageCacheHits.inc(),
      onMiss: () => metrics.pageCacheMisses.inc(),
    });
    metrics.pageCacheSize = () => pages.bytes;
    const heartbeats = new HeartbeatService(store, metrics);
    const body = jsonBody({ limitBytes: config.bodyLimitBytes, maxDepth: config.jsonMaxDepth });
    const dispatcher = new JsonRpcDispatcher(registryMethods({ agents, search, heartbeats, fetcher, pages, ...info }), logger);
    routes.push(
      accessRoutes(authenticator, config.readsRequireAuth, limit(restBudget)),
      agentRoutes({ agents, search, heartbeats, fetcher, pages, jsonBody: body, cardMaxAgeSeconds: config.cardCacheMaxAgeSeconds }),
      jsonRpcRoutes(dispatcher, body, limit(jsonRpcBudget)),
    );
  }
  const appOptions = { trustProxy: config.trustProxy, corsOrigins: config.corsOrigins };
  const app = createApp(routes, logger, metrics, appOptions);
  const metricsApp =
    config.metricsPort === undefined ? undefined : createApp([metricsRoutes(exposition)], logger, metrics, appOptions);

  const servers: Server[] = [];
  const drain = async () => {
    await Promise.all(servers.map(closeServer));
    await scheduler?.stop();
    await redis?.subscriber.close();
    await store.close();
  };

  return {
    app,
    store,
    metrics,
    listen: async () => {
      const started = await listenOn(app, config.port, config);
      servers.push(started);
      if (metricsApp && config.metricsPort !== undefined) servers.push(await listenOn(metricsApp, config.metricsPort, config));
      await scheduler?.start();
      return started;
    },
    close: async () => {
      shuttingDown = true;
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), config.shutdownTimeoutMs);
      });
      const clean = await Promise.race([drain().then(() => true as const), deadline]);
      clearTimeout(timer);
      if (!clean) for (const server of servers) server.closeAllConnections();
      return clean;
    },
  };
}
