import type { Server } from 'node:http';
import type { Request, RequestHandler } from 'express';
import type { JSONWebKeySet } from 'jose';
import { agentMethods, jsonRpcCharges, WRITE_METHODS } from './agents/agent-methods.js';
import { ExtensionService } from './extensions/extension-service.js';
import { AgentPinger } from './agents/agent-ping.js';
import { EXTENSION_WRITE_METHODS, extensionMethods } from './extensions/extension-methods.js';
import { extensionRoutes } from './extensions/extension-routes.js';
import { agentRoutes, restCharges } from './agents/agent-routes.js';
import { PAGE_CACHE_BYTES, PageJsonCache } from './agents/page-json-cache.js';
import { AgentService } from './agents/agent-service.js';
import { accessRoutes, authenticatorOf } from './auth/access-routes.js';
import { FailedAuthGuard } from './auth/failed-auth-guard.js';
import { storedCards } from './agents/stored-cards.js';
import { CachingAgentStore } from './cache/caching-agent-store.js';
import { DatasetEpochWatch } from './cache/dataset-epoch-watch.js';
import { raceDeadline } from './deadline.js';
import { AgentIdsByNumber, DEFAULT_KNOWN_AGENT_NUMBERS } from './store/agent-ids-by-number.js';
import { InvalidationSubscriber } from './cache/invalidation-subscriber.js';
import { changeMethods } from './changes/change-methods.js';
import { changeRoutes } from './changes/change-routes.js';
import { ChangeService } from './changes/change-service.js';
import { ChangeSignal, ChangeStreams } from './changes/change-stream.js';
import { RecordCache } from './cache/record-cache.js';
import type { Config, FollowSettings, ProbeConfig } from './config/config.js';
import { Follower } from './follow/follower.js';
import { readOnlyMethods, readOnlyRoutes } from './follow/read-only.js';
import { SourceClient } from './follow/source-client.js';
import { RedisMirrorState } from './store/redis-mirror-state.js';
import { DEFAULT_SAVE_BATCH_LIMITS } from './store/save-batches.js';
import { DOMAIN_WRITE_METHODS, domainMethods } from './domains/domain-methods.js';
import { domainRoutes } from './domains/domain-routes.js';
import { DomainService } from './domains/domain-service.js';
import { CATALOG_SOURCE_WRITE_METHODS, catalogSourceMethods } from './catalog-sources/catalog-source-methods.js';
import { catalogSourceRoutes } from './catalog-sources/catalog-source-routes.js';
import { CatalogSourceService } from './catalog-sources/catalog-source-service.js';
import { ExpirySweep } from './worker/expiry-sweep.js';
import { HeartbeatService } from './agents/heartbeat-service.js';
import { workerJobs } from './worker/worker-jobs.js';
import { MemorySweepClock, RedisSweepClock, SweepHealth } from './worker/sweep-health.js';
import { createApp, type EndpointList, type Routes } from './http/app.js';
import { closeServer, listenOn } from './http/http-server.js';
import { jsonBody } from './http/json-body.js';
import { JsonRpcDispatcher } from './jsonrpc/jsonrpc-dispatcher.js';
import { jsonRpcRoutes } from './jsonrpc/jsonrpc-routes.js';
import { withMethodList } from './jsonrpc/method-list.js';
import type { Logger } from './logger.js';
import { SCRAPE_READ_TIMEOUT_MS } from './metrics/bounded-read.js';
import { Metrics } from './metrics/metrics.js';
import { createSafeFetcher } from './outbound/safe-fetch.js';
import { MemoryRateLimiter, type Charges, type RateLimiter } from './rate-limit/rate-limiter.js';
import { rateLimit } from './rate-limit/rate-limit-middleware.js';
import { RedisRateLimiter } from './rate-limit/redis-rate-limiter.js';
import { DEFAULT_SEARCH_ADMISSION, SearchAdmission } from './search/search-admission.js';
import { SearchService } from './search/search-service.js';
import { serviceInfoMethods } from './service-info/service-info-methods.js';
import { FindAgents } from './discovery-agent/find-agents.js';
import { discoveryAgentMethods } from './discovery-agent/send-message-method.js';
import { retiredVectorMethods } from './search/vector-methods.js';
import { metricsRoutes, serviceInfoRoutes } from './service-info/service-info-routes.js';
import { signaturePolicy } from './signatures/signature-policy.js';
import { CardRefresher } from './worker/card-refresher.js';
import { CatalogRefresher } from './worker/catalog-refresher.js';
import { CatalogIngest } from './catalog-ingest/catalog-ingest.js';
import { CatalogIngestService } from './catalog-ingest/catalog-ingest-service.js';
import { CatalogSync } from './catalog-ingest/catalog-sync.js';
import type { CatalogSourceStore } from './store/catalog-sources.js';
import { MemoryCatalogSources } from './store/memory-catalog-sources.js';
import { RedisCatalogSources } from './store/redis-catalog-sources.js';
import { AgentProber } from './probes/agent-prober.js';
import { ProbeRunner } from './probes/probe-runner.js';
import type { AgentStore } from './store/agent-store.js';
import type { DomainStore } from './store/domain-claims.js';
import { MemoryAgentStore } from './store/memory-agent-store.js';
import { MemoryDomainStore } from './store/memory-domain-store.js';
import { RedisAgentStore } from './store/redis-agent-store.js';
import { RedisDomainStore } from './store/redis-domain-store.js';
import { closeRedis, createQueueConnection, createRedisConnection, createSubscriberConnection, waitUntilReady } from './store/redis-connection.js';
import type { RedisEndpoint } from './store/redis-endpoint.js';
import { RedisHealth } from './store/redis-health.js';
import { redisKeys } from './store/redis-keys.js';
import { ReplicaWait } from './store/replica-wait.js';
import { warnOfLooseRedisSettings } from './store/redis-settings.js';
import { VERSION } from './version.js';
import { openApiDocument } from './openapi/openapi-document.js';
import { openApiRoutes } from './openapi/openapi-routes.js';
import { servedOperations } from './openapi/served-operations.js';
import { registryPublisherOf } from './agents/air-identifier.js';
import { ARD_BASE } from './ard/ard-base.js';
import { ardCharges, ardRoutes } from './ard/ard-routes.js';
import { ArdService } from './ard/ard-service.js';
import { catalogRoutes } from './catalog/catalog-routes.js';
import { CatalogService } from './catalog/catalog-service.js';
import { CatalogSigner } from './catalog/catalog-signer.js';

/** How often a change stream reads the log without news of a change, on Redis (whose feed tells of each) and on the embedded store. */
const REDIS_CHANGE_POLL_MS = 1000;
const MEMORY_CHANGE_POLL_MS = 250;
/** Bytes a change stream client may leave unread before it is cut. */
const CHANGE_STREAM_BUFFER_BYTES = 1024 * 1024;

/** How long `listen()` waits for Redis once listening, before it resolves (requests get 503s until Redis answers). */
const REDIS_STARTUP_WAIT_MS = 5000;

/** A wired registry: the means to start and stop it. */
export interface Registry {
  /** Starts the HTTP server (and, in the worker role, the sweep) on the configured host and port. */
  listen(): Promise<Server>;
  /**
   * Graceful stop: readiness fails at once, the server stops accepting, in-flight requests and a
   * running sweep finish, connections close. Resolves true when all of it fit the deadline.
   */
  close(): Promise<boolean>;
}

/** The embedded stores: the agent store reads the domain claims as it writes. */
function memoryParts(changeLogEvents: number, unpackedRecords: number): { store: AgentStore; domains: DomainStore; catalogSources: CatalogSourceStore } {
  const domains = new MemoryDomainStore();
  return {
    store: new MemoryAgentStore(storedCards, undefined, domains.ownerOf, changeLogEvents, unpackedRecords),
    domains,
    catalogSources: new MemoryCatalogSources(),
  };
}

/** The Redis-backed parts: the store behind a replica cache fed by the invalidation channel. */
function redisParts(config: Config & { redis: RedisEndpoint }, logger: Logger, metrics: Metrics, changeSignal: ChangeSignal) {
  const keys = redisKeys(config.redisPrefix);
  const health = new RedisHealth(logger);
  const connection = createRedisConnection({
    endpoint: config.redis,
    commandTimeoutMs: config.redisCommandTimeoutMs,
    logger,
    onError: () => metrics.redisErrors.inc(),
    health,
  });
  metrics.watchRedis(() => health.answers(SCRAPE_READ_TIMEOUT_MS));
  const cache = new RecordCache(
    { maxEntries: config.cacheMaxEntries, maxBytes: config.cacheMaxBytes },
    { onHit: () => metrics.cacheHits.inc(), onMiss: () => metrics.cacheMisses.inc(), onEvict: () => metrics.cacheEvictions.inc() },
  );
  metrics.cacheSize = () => cache.size;
  // The replica cache's other part: when it is off, so is this.
  const knownIds = new AgentIdsByNumber(config.cacheMaxEntries > 0 ? DEFAULT_KNOWN_AGENT_NUMBERS : 0);
  const subscriber = new InvalidationSubscriber({
    connection: createSubscriberConnection(config.redis),
    channel: keys.invalidations,
    cache,
    logger,
    onInvalidation: (lag) => {
      metrics.invalidations.inc();
      metrics.invalidationLag.observe(lag);
      changeSignal.notify();
    },
    // Called once the connection is up, by which time the store below exists.
    readLastChange: async () => (await redisStore.readChanges(undefined, 0)).last,
    alsoForgets: knownIds,
  });
  const writes = replicaWait(config, logger, metrics);
  const saveBatching = {
    onBatch: (saves: number) => metrics.saveBatchSaves.observe(saves),
    // Well past the write connection's own deadline (its command timeout, and the replica wait's).
    limits: { ...DEFAULT_SAVE_BATCH_LIMITS, deadlineMs: Math.max(DEFAULT_SAVE_BATCH_LIMITS.deadlineMs, 5 * (config.redisCommandTimeoutMs + config.redisWait.timeoutMs)) },
  };
  const redisStore = new RedisAgentStore(connection, keys, storedCards, () => metrics.redisErrors.inc(), undefined, writes, config.changeLogEvents, saveBatching, knownIds);
  const checkLayout = async () => {
    const problem = await redisStore.checkLayout().catch((error: Error) => logger.warn({ err: error }, 'Could not check the data layout'));
    if (problem) logger.error(problem);
  };
  const epochWatch = new DatasetEpochWatch({ readEpoch: () => redisStore.datasetEpoch(), onLost: () => {
      cache.reset();
      knownIds.forgetAll();
      metrics.datasetLosses.inc();
    },
    logger,
  });
  // Again on every reconnection: the Redis that answers may not be the one that did.
  connection.on('ready', () => {
    // The Redis that answers now may have lost writes and given their agents' numbers again.
    knownIds.forgetAll();
    void checkLayout();
    void epochWatch.check();
  });
  const store = new CachingAgentStore(redisStore, cache);
  const domains = new RedisDomainStore(connection, keys);
  const catalogSources = new RedisCatalogSources(connection, keys);
  const connections = writes ? [connection, writes.connection] : [connection];
  const sweepClock = new RedisSweepClock(connection, keys.lastSweep);
  return { keys, connection, connections, health, subscriber, store, redisStore, domains, catalogSources, checkLayout, epochWatch, sweepClock };
}

/**
 * Confirms writes on replicas when REDIS_WAIT_REPLICAS asks, over a connection of their own: a WAIT
 * blocks its connection until answered. Its commands may wait behind a WAIT out, hence the longer bound.
 */
function replicaWait(config: Config & { redis: RedisEndpoint }, logger: Logger, metrics: Metrics): ReplicaWait | undefined {
  if (config.redisWait.replicas === 0) return undefined;
  const connection = createRedisConnection({
    endpoint: config.redis,
    role: 'writes',
    commandTimeoutMs: config.redisCommandTimeoutMs + config.redisWait.timeoutMs,
    logger,
    onError: () => metrics.redisErrors.inc(),
  });
  return new ReplicaWait(connection, config.redisWait, () => metrics.unconfirmedWrites.inc());
}

/** The follower of a mirror (`FOLLOW_URL`), writing through the store itself: the replica cache learns of its writes like any other. */
function mirrorFollower(follow: FollowSettings, redis: ReturnType<typeof redisParts>, logger: Logger, metrics: Metrics): Follower {
  const follower: Follower = new Follower(
    new SourceClient(follow.url, follow.apiKey, follow.filter),
    redis.redisStore,
    new RedisMirrorState(redis.connection, redis.keys),
    follow,
    logger,
    metrics.watchMirror(() => follower.status()),
  );
  return follower;
}

/** The AI Catalog documents and the ARD API, which present the same catalog entries. */
function discoveryRoutes(config: Config, store: AgentStore, search: SearchService, jsonBody: RequestHandler, logger: Logger) {
  const site = { publicUrl: config.publicUrl, publisher: registryPublisherOf(config.publicUrl) };
  const signer = config.catalog.signingKey && new CatalogSigner(config.catalog.signingKey);
  const ardBase = `${config.publicUrl}${ARD_BASE}`;
  const catalogs = new CatalogService(store, {
    site,
    pageSize: config.catalog.pageSize,
    host: { displayName: 'A2A Registry', identifier: site.publisher, documentationUrl: `${config.publicUrl}/openapi.json` },
    ardBase,
  });
  const ard = new ArdService(store, search, site, ardBase);
  return [
    catalogRoutes({ catalogs, signer, readsRequireAuth: config.readsRequireAuth, maxAgeSeconds: config.cardCacheMaxAgeSeconds }),
    ardRoutes({ ard, jsonBody, readsRequireAuth: config.readsRequireAuth, logger }),
  ];
}

/** Whether `work` settles within `ms`; past it, its end is no longer waited for. */
function finishesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  return raceDeadline(work.then(() => true, () => true), ms, () => false);
}

/**
 * The worker's probes, with a fetcher of their own: the same address policy as every outbound
 * fetch, but the probe timeout for each request.
 */
function probeRunner(probes: ProbeConfig, config: Config, store: AgentStore, metrics: Metrics, logger: Logger): ProbeRunner {
  const fetcher = createSafeFetcher({
    ...config.outbound,
    maxDepth: config.jsonMaxDepth,
    connectTimeoutMs: Math.min(3000, probes.timeoutMs),
    totalTimeoutMs: probes.timeoutMs,
  });
  const settings = {
    intervalMs: probes.intervalSeconds * 1000,
    ratePerSecond: probes.ratePerSecond,
    originConcurrency: probes.originConcurrency,
    timeoutMs: probes.timeoutMs,
    maxBackoffMs: probes.maxBackoffSeconds * 1000,
    runMs: config.sweepIntervalSeconds * 1000,
  };
  return new ProbeRunner(store, new AgentProber(fetcher), settings, metrics.watchProbes(), logger);
}

/** The composition root: builds every part once for the configured role and hands each its dependencies. */
export async function createRegistry(config: Config, logger: Logger): Promise<Registry> {
  const metrics = new Metrics();
  // The embedded store has no feed that tells of changes: its streams read the log more often.
  const changePollMs = config.redis ? REDIS_CHANGE_POLL_MS : MEMORY_CHANGE_POLL_MS;
  const changeSignal = new ChangeSignal(Math.min(changePollMs, config.changeStreamHeartbeatSeconds * 1000));
  const redis = config.redis ? redisParts({ ...config, redis: config.redis }, logger, metrics, changeSignal) : undefined;
  const { store, domains, catalogSources } = redis ?? memoryParts(config.changeLogEvents, config.cacheMaxEntries);
  const servesApi = config.role !== 'worker';
  // A mirror's worker follows its source instead of sweeping: the source expires, purges and
  // refreshes its agents, and its change log tells the mirror.
  const follower = config.role !== 'api' && config.follow && redis ? mirrorFollower(config.follow, redis, logger, metrics) : undefined;
  const runsSweep = config.role !== 'api' && !follower;

  const fetcher = createSafeFetcher({ ...config.outbound, maxDepth: config.jsonMaxDepth });
  const signatures = signaturePolicy({
    requireSigned: config.signatures.requireSigned,
    trustedJwks: config.signatures.trustedJwks as JSONWebKeySet | undefined,
    originFetcher: config.signatures.originJwks ? fetcher : undefined,
  });
  const agents = new AgentService(store, {
    defaultTtlSeconds: config.heartbeatTtlSeconds,
    signatures,
    refreshIntervalSeconds: config.cardRefreshIntervalSeconds,
    idempotencyTtlSeconds: config.idempotencyTtlSeconds,
  });
  const expiry = new ExpirySweep(store, config.heartbeatGraceSeconds * 1000, metrics, logger, config.tombstoneRetentionDays * 86_400_000);
  const refresher = new CardRefresher(store, agents, fetcher, logger);
  const catalogs = new CatalogIngestService(
    new CatalogIngest({ store, agents, fetcher }, fetcher, config.catalogIngest, signatures),
    new CatalogSync(catalogSources, agents, config.catalogIngest.removalGraceHours * 3_600_000),
    catalogSources,
    agents,
    { requestDeadlineMs: config.catalogIngest.deadlineSeconds * 1000, refreshIntervalMs: config.cardRefreshIntervalSeconds * 1000, metrics },
  );
  const catalogRefresher = new CatalogRefresher(catalogs, logger);
  // Probes read the records uncached: a probe that finds the same status as before takes no revision,
  // so a cached copy would hold an older count of failures (the back-off) for as long as it lives.
  const probeStore = redis?.redisStore ?? store;
  const prober = runsSweep && config.probes ? probeRunner(config.probes, config, probeStore, metrics, logger) : undefined;
  const intervalMs = config.sweepIntervalSeconds * 1000;
  const sweepHealth = runsSweep ? new SweepHealth(redis?.sweepClock ?? new MemorySweepClock(), intervalMs) : undefined;
  // BullMQ never closes a connection it is handed: drain() does. Its outages are the command connection's to log.
  const sweepConnection = runsSweep && config.redis ? createQueueConnection(config.redis) : undefined;
  sweepConnection?.on('error', (error: Error) => logger.debug({ err: error }, 'Sweep queue connection error'));
  const scheduler =
    sweepHealth &&
    workerJobs({
      ...(sweepConnection ? { connection: sweepConnection } : {}),
      prefix: redisKeys(config.redisPrefix).queuePrefix,
      intervalMs,
      expiry: sweepHealth.track(() => expiry.run()),
      // Catalogs are read again on the card refresh's schedule, in its job, after the cards.
      refresh: async () => ({ ...(await refresher.run()), ...(await catalogRefresher.run()) }),
      ...(prober ? { probe: () => prober.run() } : {}),
      logger,
    });

  metrics.agentCounts = async () => {
    const [active, all] = await Promise.all([store.count(), store.count(true)]);
    return { active, inactive: all - active };
  };
  if (scheduler) metrics.queueCounts = () => scheduler.jobCounts();
  if (sweepHealth) metrics.exportSweepLastSuccess(() => sweepHealth.lastSuccess());
  const exposition = { text: () => metrics.registry.metrics(), contentType: metrics.registry.contentType };

  const authenticator = authenticatorOf(config.auth);
  if (authenticator.mode === 'none' && servesApi) {
    logger.warn('AUTH_MODE=none: anyone may register, change and delete agents. Set AUTH_MODE=apikey or jwt in production.');
  }

  let shuttingDown = false;
  let startClosing = () => {};
  const closing = new Promise<false>((resolve) => (startClosing = () => resolve(false)));
  const info = {
    version: VERSION,
    publicUrl: config.publicUrl,
    storeKind: store.kind,
    readCredentials: config.readsRequireAuth ? config.auth.mode : ('none' as const),
  };
  // What the REST doors mounted (each fills its list as it is mounted): nothing on a worker.
  const restEndpoints: EndpointList[] = [];
  const changes = new ChangeService(store, storedCards, () => redis?.subscriber.coveredThrough);
  const changeStreams = new ChangeStreams(changes, changeSignal, {
    heartbeatMs: config.changeStreamHeartbeatSeconds * 1000,
    maxBufferedBytes: CHANGE_STREAM_BUFFER_BYTES,
    maxStreams: config.changeStreamsMax,
  }, logger);
  const routes: Routes[] = [
    serviceInfoRoutes({
      ...info,
      readiness: async () => ({
        accepting: !shuttingDown,
        store: await store.ping().then(() => true, () => false),
        ...(redis && servesApi ? { invalidations: redis.subscriber.isLive } : {}),
        // Workers only: in ROLE=all a stalled sweep would take the API out of rotation too; the gauge tells.
        ...(sweepHealth && !servesApi ? { sweeps: await sweepHealth.isFresh() } : {}),
      }),
      ...(follower ? { mirror: () => ({ ...follower.status() }) } : {}),
      ...(config.metricsPort === undefined ? { metrics: exposition } : {}),
      endpoints: () => Object.assign({}, ...restEndpoints),
    }),
    // Built once: it describes what this process serves, which its configuration settles at start-up.
    openApiRoutes(
      openApiDocument({
        version: VERSION,
        operations: servedOperations({ api: servesApi, metrics: config.metricsPort === undefined, mirror: config.follow !== undefined }),
        authMode: config.auth.mode,
        readsRequireAuth: config.readsRequireAuth,
      }),
    ),
  ];
  if (servesApi) {
    const limiter: RateLimiter = redis
      ? new RedisRateLimiter(redis.connection, redis.keys.rateLimit, config.rateLimits, logger)
      : new MemoryRateLimiter(config.rateLimits);
    const guard = config.rateLimits.failedAuth > 0 ? new FailedAuthGuard(limiter, config.rateLimits.failedAuth) : undefined;
    const limited = config.rateLimits.read > 0 || config.rateLimits.write > 0;
    const limit = (chargesOf: (req: Request) => Charges) => (limited ? rateLimit(limiter, config.rateLimits, chargesOf) : undefined);
    // The embedded store walks on the event loop, one walk at a time already.
    const admission = new SearchAdmission(
      { ...DEFAULT_SEARCH_ADMISSION, concurrency: redis ? config.searchCostlyConcurrency : 0 },
      { onTurn: (seconds) => metrics.searchTurnWait.observe(seconds), onRefused: () => metrics.searchTurnsRefused.inc() },
    );
    metrics.searchTurnsQueued = () => admission.queued;
    const search = new SearchService(
      store,
      config.responseMaxBytes,
      (page) => {
        metrics.searchCandidates.observe(page.work);
        if (page.stoppedAt) metrics.searchBudgetStops.inc();
        if (!page.totalExact) metrics.searchEstimatedTotals.inc();
      },
      admission,
    );
    // A page is recognised by its record objects, which only the replica cache keeps from one read to the next.
    const pages = new PageJsonCache(redis && config.cacheMaxEntries > 0 ? PAGE_CACHE_BYTES : 0, {
      onHit: () => metrics.pageCacheHits.inc(),
      onMiss: () => metrics.pageCacheMisses.inc(),
    });
    metrics.pageCacheSize = () => pages.bytes;
    const heartbeats = new HeartbeatService(store, metrics);
    const body = jsonBody({ limitBytes: config.bodyLimitBytes, maxDepth: config.jsonMaxDepth });
    const domainService = new DomainService(domains, store, fetcher, {
      challengeTtlSeconds: config.domainChallenge.ttlSeconds,
      challengeUrlTemplate: config.domainChallenge.urlTemplate,
    });
    const extensions = new ExtensionService(store);
    const catalogSourceService = new CatalogSourceService(catalogSources, agents);
    const pinger = new AgentPinger(agents, fetcher);
    const writeMethods = new Set([...WRITE_METHODS, ...DOMAIN_WRITE_METHODS, ...EXTENSION_WRITE_METHODS, ...CATALOG_SOURCE_WRITE_METHODS]);
    const allMethods = new Map([
        ...agentMethods({ agents, search, heartbeats, fetcher, catalogs, pages, pinger }),
        ...domainMethods(domainService),
        ...catalogSourceMethods(catalogSourceService),
        ...changeMethods(changes),
        ...extensionMethods(extensions),
        ...retiredVectorMethods(),
        ...serviceInfoMethods({ ...info, countAgents: () => agents.count() }),
        ...discoveryAgentMethods(new FindAgents(search, config.publicUrl)),
    ]);
    const methods = withMethodList(config.follow ? readOnlyMethods(allMethods, writeMethods, config.follow.url) : allMethods);
    const dispatcher = new JsonRpcDispatcher(methods, logger, config.responseMaxBytes);
    const rest = agentRoutes({
      agents,
      search,
      heartbeats,
      fetcher,
      catalogs,
      pages,
      pinger,
      jsonBody: body,
      cardMaxAgeSeconds: config.cardCacheMaxAgeSeconds,
      readsRequireAuth: config.readsRequireAuth,
      snapshotCursor: () => changes.snapshotCursor(),
    });
    const domainRest = domainRoutes(domainService);
    const catalogRest = catalogSourceRoutes(catalogSourceService);
    const changeRest = changeRoutes(changes, changeStreams);
    const extensionRest = extensionRoutes(extensions, body);
    const discoveryRest = discoveryRoutes(config, store, search, body, logger);
    restEndpoints.push(rest.endpoints, domainRest.endpoints, catalogRest.endpoints, changeRest.endpoints, extensionRest.endpoints, ...discoveryRest.map((r) => r.endpoints));
    // The ARD API's POSTs search: reads, for the budget and for a mirror.
    const charges = (req: Request) => ardCharges(req) ?? restCharges(req);
    if (config.follow) routes.push(readOnlyRoutes(config.follow.url, charges));
    routes.push(
      accessRoutes(authenticator, guard, config.readsRequireAuth, limit(charges)),
      rest,
      domainRest,
      catalogRest,
      changeRest,
      extensionRest,
      ...discoveryRest,
      jsonRpcRoutes(dispatcher, body, limit(jsonRpcCharges(writeMethods))),
    );
  }
  const appOptions = { trustProxy: config.trustProxy, corsOrigins: config.corsOrigins, accessLog: config.accessLog };
  const app = createApp(routes, logger, metrics, appOptions);
  const metricsApp =
    config.metricsPort === undefined ? undefined : createApp([metricsRoutes(exposition)], logger, metrics, appOptions);

  const servers: Server[] = [];
  const drain = async () => {
    // Streams never end by themselves: ended now, their clients resume elsewhere with Last-Event-ID.
    changeStreams.close();
    await Promise.all([...servers.map(closeServer), follower?.stop()]);
    // A stalled Redis never answers BullMQ's graceful close; past half the deadline its connection is cut instead.
    if (scheduler && !(await finishesWithin(scheduler.stop(), config.shutdownTimeoutMs / 2))) {
      logger.warn('The sweep did not stop in time (is Redis stalled?); closing its connection');
    }
    redis?.health.stop();
    redis?.epochWatch.stop();
    // Each close waits a bounded time for Redis to take its QUIT.
    await Promise.all([sweepConnection && closeRedis(sweepConnection), redis?.subscriber.close(), store.close()]);
  };

  return {
    listen: async () => {
      const started = await listenOn(app, config.port, config);
      servers.push(started);
      if (metricsApp && config.metricsPort !== undefined) servers.push(await listenOn(metricsApp, config.metricsPort, config));
      logger.info({ address: started.address(), role: config.role }, 'A2A Registry listening');
      // Listening comes first, so that health, metrics and 503s answer while Redis does not (its
      // health has logged that, once). The layout is checked again at every reconnection anyway.
      const ready = redis && Promise.all(redis.connections.map((c) => waitUntilReady(c, REDIS_STARTUP_WAIT_MS))).then((all) => all.every(Boolean));
      if (redis && (await Promise.race([ready, closing]))) {
        await warnOfLooseRedisSettings(redis.connection, logger);
        await redis.checkLayout();
      }
      // Not awaited: BullMQ waits for Redis as long as it takes, and the sweep starts when it answers.
      if (!shuttingDown) follower?.start();
      if (!shuttingDown) scheduler?.start().catch((error: unknown) => shuttingDown || logger.warn({ err: error }, 'The sweep could not start'));
      return started;
    },
    close: async () => {
      shuttingDown = true;
      startClosing();
      const clean = await raceDeadline(drain().then(() => true), config.shutdownTimeoutMs, () => false);
      if (!clean) for (const server of servers) server.closeAllConnections();
      return clean;
    },
  };
}
