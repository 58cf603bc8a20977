import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const ROLES = ['api', 'worker', 'all'] as const;

/** What one process does: serve the API, run the background sweeps, or both. */
export type Role = (typeof ROLES)[number];

/** Parses sizes such as `1mb`, `512kb` or a plain number of bytes. */
function parseByteSize(value: string, ctx: z.RefinementCtx): number {
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: 'expected a size such as 1048576, 512kb or 1mb' });
    return z.NEVER;
  }
  const units: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return Number(match[1]) * (units[(match[2] ?? 'b').toLowerCase()] ?? 1);
}

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const envSchema = z.object({
  PORT: integer(0, 65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  REDIS_PREFIX: z
    .string()
    .regex(/^[^\s]*\{[^{}\s]+\}[^\s]*$/, 'expected a prefix with a {hash tag}, such as a2a:{registry}:')
    .default('a2a:{registry}:'),
  REDIS_COMMAND_TIMEOUT_MS: integer(10, 60_000).default(1000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  BODY_LIMIT: z.string().default('1mb').transform(parseByteSize),
  JSON_MAX_DEPTH: integer(2, 1000).default(64),
  PUBLIC_URL: z.string().url().optional(),
  CARD_CACHE_MAX_AGE_SECONDS: integer(0, 86_400).default(60),
  ROLE: z.enum(ROLES).default('all'),
  CACHE_MAX_ENTRIES: integer(0, 10_000_000).default(10_000),
  CACHE_MAX_BYTES: z.string().default('64mb').transform(parseByteSize),
  HEARTBEAT_TTL_SECONDS: integer(0, 31_536_000).default(0),
  HEARTBEAT_GRACE_SECONDS: integer(0, 31_536_000).default(3600),
  SWEEP_INTERVAL_SECONDS: integer(1, 86_400).default(10),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(1000, 600_000).default(65_000),
  METRICS_PORT: integer(1, 65535).optional(),
});

/** The registry's settings, read once from the environment at start-up. */
export interface Config {
  /** TCP port of the HTTP server. @defaultValue 8000 */
  readonly port: number;
  /** Interface the HTTP server binds to. @defaultValue `0.0.0.0` */
  readonly host: string;
  /** Redis connection URL; when unset the embedded in-process store is used. @defaultValue unset */
  readonly redisUrl: string | undefined;
  /** Prefix of every Redis key; must contain a `{hash tag}` so all keys share one cluster slot. @defaultValue `a2a:{registry}:` */
  readonly redisPrefix: string;
  /** Upper bound of one Redis command on a request path, in milliseconds. @defaultValue 1000 */
  readonly redisCommandTimeoutMs: number;
  /** pino log level. @defaultValue `info` */
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /** Largest accepted request body, in bytes (`BODY_LIMIT` accepts `kb`/`mb` suffixes). @defaultValue 1 MiB */
  readonly bodyLimitBytes: number;
  /** Deepest nesting of arrays and objects accepted in a JSON body. @defaultValue 64 */
  readonly jsonMaxDepth: number;
  /** Base URL the registry is reached at, used in its own agent card. @defaultValue `http://localhost:{PORT}` */
  readonly publicUrl: string;
  /** `max-age` of `GET /agents/{id}/card` responses, in seconds. @defaultValue 60 */
  readonly cardCacheMaxAgeSeconds: number;
  /** `api` serves HTTP, `worker` runs the sweeps (and only health routes), `all` both. @defaultValue `all` */
  readonly role: Role;
  /** Most agent records one replica caches in memory; 0 turns the cache off. @defaultValue 10000 */
  readonly cacheMaxEntries: number;
  /** Most bytes of agent records one replica caches (`CACHE_MAX_BYTES` accepts `kb`/`mb`). @defaultValue 64 MiB */
  readonly cacheMaxBytes: number;
  /** Liveness TTL of agents that register without their own; 0 turns expiry off for them. @defaultValue 0 */
  readonly heartbeatTtlSeconds: number;
  /** How long an inactive agent stays (readable by id) before it is deleted. @defaultValue 3600 */
  readonly heartbeatGraceSeconds: number;
  /** Period of the expiry sweep, in seconds. @defaultValue 10 */
  readonly sweepIntervalSeconds: number;
  /** Deadline of a graceful shutdown after SIGTERM, in milliseconds. @defaultValue 10000 */
  readonly shutdownTimeoutMs: number;
  /** Idle keep-alive timeout of HTTP connections; longer than a load balancer's (often 60 s). @defaultValue 65000 */
  readonly keepAliveTimeoutMs: number;
  /** Serve `/metrics` on this port instead of the API port; unset: on the API port. @defaultValue unset */
  readonly metricsPort: number | undefined;
}

/** Thrown at start-up when the environment holds bad values; lists every one of them. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once and returns a frozen, typed configuration. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const present = Object.fromEntries(
    Object.entries(env)
      .map(([name, value]) => [name, value?.trim()] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const v = parsed.data;
  return Object.freeze({
    port: v.PORT,
    host: v.HOST,
    redisUrl: v.REDIS_URL,
    redisPrefix: v.REDIS_PREFIX,
    redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    logLevel: v.LOG_LEVEL,
    bodyLimitBytes: v.BODY_LIMIT,
    jsonMaxDepth: v.JSON_MAX_DEPTH,
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, ''),
    cardCacheMaxAgeSeconds: v.CARD_CACHE_MAX_AGE_SECONDS,
    role: v.ROLE,
    cacheMaxEntries: v.CACHE_MAX_ENTRIES,
    cacheMaxBytes: v.CACHE_MAX_BYTES,
    heartbeatTtlSeconds: v.HEARTBEAT_TTL_SECONDS,
    heartbeatGraceSeconds: v.HEARTBEAT_GRACE_SECONDS,
    sweepIntervalSeconds: v.SWEEP_INTERVAL_SECONDS,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    metricsPort: v.METRICS_PORT,
  });
}
