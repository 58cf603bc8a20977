import type { Server } from 'node:http';
import type { Express } from 'express';
import { agentRoutes } from './agents/agent-routes.js';
import { AgentService } from './agents/agent-service.js';
import type { Config } from './config/config.js';
import { createApp } from './http/app.js';
import { jsonBody } from './http/json-body.js';
import { JsonRpcDispatcher } from './jsonrpc/jsonrpc-dispatcher.js';
import { jsonRpcRoutes } from './jsonrpc/jsonrpc-routes.js';
import { registryMethods } from './jsonrpc/registry-methods.js';
import type { Logger } from './logger.js';
import { SearchService } from './search/search-service.js';
import { serviceInfoRoutes } from './service-info/service-info-routes.js';
import type { AgentStore } from './store/agent-store.js';
import { MemoryAgentStore } from './store/memory-agent-store.js';
import { RedisAgentStore } from './store/redis-agent-store.js';
import { createRedisConnection, waitUntilReady } from './store/redis-connection.js';
import { redisKeys } from './store/redis-keys.js';
import { VERSION } from './version.js';

/** How long start-up waits for Redis before serving (with 503s until it answers). */
const REDIS_STARTUP_WAIT_MS = 5000;

/** A wired registry: its HTTP application and the means to start and stop it. */
export interface Registry {
  app: Express;
  store: AgentStore;
  /** Starts the HTTP server on the configured host and port (0 picks a free port). */
  listen(): Promise<Server>;
  /** Stops the HTTP server (when started) and closes the store's connections. */
  close(): Promise<void>;
}

async function createStore(config: Config, logger: Logger): Promise<AgentStore> {
  if (!config.redisUrl) return new MemoryAgentStore();
  const redis = createRedisConnection({ url: config.redisUrl, commandTimeoutMs: config.redisCommandTimeoutMs, logger });
  if (!(await waitUntilReady(redis, REDIS_STARTUP_WAIT_MS))) {
    logger.warn('Redis did not answer at start-up; serving 503 until it does');
  }
  return new RedisAgentStore(redis, redisKeys(config.redisPrefix));
}

/** The composition root: builds every part once and hands each its dependencies. */
export async function createRegistry(config: Config, logger: Logger): Promise<Registry> {
  const store = await createStore(config, logger);
  const agents = new AgentService(store);
  const search = new SearchService(store);
  const body = jsonBody({ limitBytes: config.bodyLimitBytes, maxDepth: config.jsonMaxDepth });
  const info = { version: VERSION, publicUrl: config.publicUrl, storeKind: store.kind };
  const dispatcher = new JsonRpcDispatcher(registryMethods({ agents, search, ...info }), logger);
  const app = createApp(
    [
      serviceInfoRoutes(info),
      agentRoutes({ agents, search, jsonBody: body, cardMaxAgeSeconds: config.cardCacheMaxAgeSeconds }),
      jsonRpcRoutes(dispatcher, body),
    ],
    logger,
  );

  let server: Server | undefined;
  return {
    app,
    store,
    listen: () =>
      new Promise((resolve, reject) => {
        const started = app.listen(config.port, config.host, (error?: Error) => (error ? reject(error) : resolve(started)));
        server = started;
      }),
    close: async () => {
      if (server) {
        const closing = server;
        await new Promise<void>((resolve) => closing.close(() => resolve()));
        closing.closeAllConnections();
      }
      await store.close();
    },
  };
}
