import { ConfigError, loadConfig, type Config } from './config/config.js';
import { createLogger } from './logger.js';
import { createRegistry } from './registry.js';

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
if (config.redisUrl) {
  logger.info({ store: 'redis', prefix: config.redisPrefix }, 'Using Redis at REDIS_URL');
} else {
  logger.info({ store: 'memory' }, 'Using the embedded in-process store (REDIS_URL is unset): agents live only as long as this process');
}

const registry = await createRegistry(config, logger);
const server = await registry.listen();
const address = server.address();
logger.info({ address, role: config.role }, 'A2A Registry listening');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    registry.close().then(
      (clean) => {
        if (!clean) logger.warn('Shutdown deadline passed; connections were cut');
        process.exit(clean ? 0 : 1);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'Shutdown failed');
        process.exit(1);
      },
    );
  });
}
