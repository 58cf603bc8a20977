import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createLogger } from './logger.js';
import { describeEndpoint } from './store/redis-endpoint.js';
import { createRegistry, type Registry } from './registry.js';

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const logger = createLogger(config.logLevel);
if (config.redis) {
  logger.info({ store: 'redis', prefix: config.redisPrefix, ...describeEndpoint(config.redis) }, 'Using Redis');
} else {
  logger.info({ store: 'memory' }, 'Using the embedded in-process store (no REDIS_URL, REDIS_SENTINELS nor REDIS_CLUSTER_NODES): agents live only as long as this process');
}

let registry: Registry | undefined;
let stopping = false;

/** Graceful stop, whatever the process was doing: exits 0 when everything closed within the deadline. */
function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'Shutting down');
  (registry?.close() ?? Promise.resolve(true)).then(
    (clean) => {
      if (!clean) logger.warn('Shutdown deadline passed; connections were cut');
      process.exit(clean ? 0 : 1);
    },
    (error: unknown) => {
      logger.error({ err: error }, 'Shutdown failed');
      process.exit(1);
    },
  );
}

// Before anything waits on Redis: a signal during start-up still stops the process gracefully.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal));

registry = await createRegistry(config, logger);
try {
  await registry.listen();
} catch (error) {
  const { code } = error as NodeJS.ErrnoException;
  if (code !== 'EADDRINUSE' && code !== 'EACCES' && code !== 'EADDRNOTAVAIL') throw error;
  const reason = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : 'no such address here';
  logger.fatal({ code, host: config.host, port: config.port, metricsPort: config.metricsPort }, `Cannot listen on ${config.host}:${config.port}${config.metricsPort === undefined ? '' : ` or metrics port ${config.metricsPort}`}: ${reason}`);
  process.exit(1);
}
