import { z } from 'zod';
import type { ApiKeyEntry, AuthSettings } from '../auth/authenticators.js';
import { parseAddresses, type RedisAddress, type RedisEndpoint } from '../store/redis-endpoint.js';
import { trustProxySchema } from './trust-proxy.js';
import { DEFAULT_SEARCH_ADMISSION } from '../search/search-admission.js';
import { parseCatalogSigningKey, type CatalogSigningKey } from '../catalog/signing-key.js';

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

const boolean = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const API_KEY_ENTRY = /^([\w.@-]{1,128}):(admin|publisher):([0-9a-f]{64})$/i;

/** `API_KEYS`: comma-separated `name:role:sha256-of-the-key` entries; the keys themselves are never configured. */
const apiKeys = z.string().transform((value, ctx): ApiKeyEntry[] => {
  const entries = value.split(',').map((entry) => entry.trim()).filter(Boolean);
  const parsed = entries.map((entry) => API_KEY_ENTRY.exec(entry));
  if (parsed.some((match) => match === null)) {
    ctx.addIssue({ code: 'custom', message: 'expected comma-separated name:admin|publisher:<64 hex chars of SHA-256>' });
    return z.NEVER;
  }
  return parsed.map((m) => ({ principal: m?.[1] as string, role: m?.[2]?.toLowerCase() as ApiKeyEntry['role'], sha256: (m?.[3] as string).toLowerCase() }));
});

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** Where a domain's challenge document is published by default: on the domain itself, at a well-known path. */
const DEFAULT_CHALLENGE_URL = 'https://{domain}/.well-known/a2a-registry-challenge/{token}';

/** A challenge URL template puts the domain in the host, so a proof is always served by the domain itself. */
function isChallengeUrlTemplate(template: string): boolean {
  if (!template.includes('{token}') || template.split('{domain}').length !== 2) return false;
  const sample = template.replace('{domain}', 'domain.example').replace('{token}', 'token');
  if (!URL.canParse(sample)) return false;
  const url = new URL(sample);
  return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname === 'domain.example' && url.username === '' && url.password === '';
}

/** `host:port,host:port`: the Sentinels, or the Cluster nodes to start from. */
const redisAddresses = z.string().transform((value, ctx): RedisAddress[] => {
  const addresses = parseAddresses(value);
  if (addresses) return addresses;
  ctx.addIssue({ code: 'custom', message: 'expected comma-separated host:port entries, such as 10.0.0.1:26379,10.0.0.2:26379' });
  return z.NEVER;
});

/** The ways of reaching Redis: at most one may be set. */
const REDIS_ENDPOINT_VARIABLES = ['REDIS_URL', 'REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'] as const;

/** The variables the checks across variables read: those checks also run when other variables are bad. */
const CROSS_CHECKED = new Set(['AUTH_MODE', 'API_KEYS', 'JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE', 'READS_REQUIRE_AUTH']);

const envSchema = z.object({
  PORT: integer(0, 65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'expected a redis:// or rediss:// URL')
    .optional(),
  REDIS_SENTINELS: redisAddresses.optional(),
  REDIS_SENTINEL_MASTER: z.string().regex(/^[\x21-\x7e]+$/, 'expected a master name without spaces').optional(),
  REDIS_SENTINEL_PASSWORD: z.string().optional(),
  REDIS_CLUSTER_NODES: redisAddresses.optional(),
  REDIS_USERNAME: z.string().optional(),
  REDIS_PASSWORD: z.string().optional(),
  REDIS_TLS: boolean.default(false),
  REDIS_PREFIX: z
    .string()
    .regex(/^[^\s]*\{[^{}\s]+\}[^\s]*$/, 'expected a prefix with a {hash tag}, such as a2a:{registry}:')
    .default('a2a:{registry}:'),
  REDIS_COMMAND_TIMEOUT_MS: integer(10, 60_000).default(1000),
  REDIS_WAIT_REPLICAS: integer(0, 100).default(0),
  REDIS_WAIT_TIMEOUT_MS: integer(1, 60_000).default(1000),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  ACCESS_LOG: boolean.default(true),
  BODY_LIMIT: z.string().default('1mb').transform(parseByteSize),
  JSON_MAX_DEPTH: integer(2, 1000).default(64),
  RESPONSE_MAX_BYTES: z.string().default('8mb').transform(parseByteSize),
  IDEMPOTENCY_TTL_SECONDS: integer(60, 604_800).default(86_400),
  CHANGE_LOG_EVENTS: integer(1000, 100_000_000).default(100_000),
  CHANGE_STREAMS_MAX: integer(0, 100_000).default(1000),
  CHANGE_STREAM_HEARTBEAT_SECONDS: integer(1, 300).default(15),
  PUBLIC_URL: z.string().url().optional(),
  CARD_CACHE_MAX_AGE_SECONDS: integer(0, 86_400).default(60),
  ROLE: z.enum(ROLES).default('all'),
  CACHE_MAX_ENTRIES: integer(0, 10_000_000).default(10_000),
  CACHE_MAX_BYTES: z.string().default('64mb').transform(parseByteSize),
  SEARCH_COSTLY_CONCURRENCY: integer(0, 1000).default(DEFAULT_SEARCH_ADMISSION.concurrency),
  HEARTBEAT_TTL_SECONDS: integer(0, 31_536_000).default(0),
  HEARTBEAT_GRACE_SECONDS: integer(0, 31_536_000).default(3600),
  SWEEP_INTERVAL_SECONDS: integer(1, 86_400).default(10),
  TOMBSTONE_RETENTION_DAYS: integer(0, 3650).default(30),
  SHUTDOWN_TIMEOUT_MS: integer(100, 600_000).default(10_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: integer(1000, 600_000).default(65_000),
  METRICS_PORT: integer(1, 65535).optional(),
  AUTH_MODE: z.enum(['none', 'apikey', 'jwt']).default('none'),
  API_KEYS: apiKeys.optional(),
  JWT_JWKS_URL: z.string().url().optional(),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_ROLE_CLAIM: z.string().min(1).default('role'),
  READS_REQUIRE_AUTH: boolean.default(false),
  RATE_LIMIT_READS_PER_MINUTE: integer(0, 10_000_000).default(0),
  RATE_LIMIT_WRITES_PER_MINUTE: integer(0, 10_000_000).default(0),
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: integer(0, 10_000_000).default(30),
  TRUST_PROXY: trustProxySchema.default(false),
  CORS_ORIGINS: z.string().default(''),
  REQUIRE_SIGNED_CARDS: boolean.default(false),
  SIGNATURE_TRUSTED_JWKS: z
    .string()
    .transform((value, ctx) => {
      try {
        const parsed = JSON.parse(value) as { keys?: unknown };
        if (Array.isArray(parsed.keys)) return parsed as { keys: Record<string, unknown>[] };
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'expected a JSON Web Key Set: {"keys": [...]}' });
      return z.NEVER;
    })
    .optional(),
  SIGNATURE_ORIGIN_JWKS: boolean.default(true),
  OUTBOUND_ALLOW_HTTP: boolean.default(false),
  CARD_REFRESH_INTERVAL_SECONDS: integer(1, 31_536_000).default(3600),
  CATALOG_INGEST_CONCURRENCY: integer(1, 64).default(8),
  CATALOG_INGEST_MAX_ENTRIES: integer(1, 100_000).default(5000),
  CATALOG_INGEST_DEADLINE_SECONDS: integer(1, 300).default(15),
  CATALOG_REMOVAL_GRACE_HOURS: integer(0, 8760).default(72),
  OUTBOUND_ALLOW_PRIVATE_NETWORKS: boolean.default(false),
  DOMAIN_CHALLENGE_TTL_SECONDS: integer(1, 604_800).default(3600),
  DOMAIN_CHALLENGE_URL: z
    .string()
    .default(DEFAULT_CHALLENGE_URL)
    .refine(isChallengeUrlTemplate, 'expected an http(s) URL whose host is {domain} and which holds {token}, such as https://{domain}/.well-known/a2a-registry-challenge/{token}'),
  REQUEST_TIMEOUT_MS: integer(1000, 600_000).default(30_000),
  FOLLOW_URL: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//.test(url) && !/[?#]/.test(url), 'expected the base URL of another registry, http(s) without a query, such as https://registry.example.com')
    .optional(),
  FOLLOW_API_KEY: z.string().regex(/^[\x21-\x7e]+$/, 'expected printable text without spaces').optional(),
  FOLLOW_FILTER: z.string().max(4096).optional(),
  FOLLOW_POLL_SECONDS: integer(1, 300).default(1),
  CATALOG_PAGE_SIZE: integer(1, 1000).default(100),
  CATALOG_SIGNING_KEY: z
    .string()
    .transform((value, ctx) => {
      const key = parseCatalogSigningKey(value);
      if (typeof key !== 'string') return key;
      ctx.addIssue({ code: 'custom', message: key });
      return z.NEVER;
    })
    .optional(),
  FOLLOW_RETRY_MAX_SECONDS: integer(1, 3600).default(30),
  PROBE_ENABLED: boolean.default(false),
  PROBE_INTERVAL_SECONDS: integer(1, 31_536_000).default(3600),
  PROBE_RATE_PER_SECOND: integer(1, 10_000).default(5),
  PROBE_ORIGIN_CONCURRENCY: integer(1, 64).default(2),
  PROBE_TIMEOUT_MS: integer(100, 60_000).default(5000),
  PROBE_MAX_BACKOFF_SECONDS: integer(1, 31_536_000).default(86_400),
}).superRefine((env, ctx) => {
  if (env.AUTH_MODE === 'apikey' && !env.API_KEYS?.length) {
    ctx.addIssue({ code: 'custom', path: ['API_KEYS'], message: 'is required when AUTH_MODE=apikey' });
  }
  if (env.AUTH_MODE === 'jwt') {
    for (const name of ['JWT_JWKS_URL', 'JWT_ISSUER', 'JWT_AUDIENCE'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when AUTH_MODE=jwt' });
    }
  }
  redisEndpointProblems(env, ctx);
  if (env.FOLLOW_URL && !REDIS_ENDPOINT_VARIABLES.some((name) => env[name] !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['FOLLOW_URL'], message: 'needs Redis (REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES): a mirror keeps its position and its lock in Redis' });
  }
  if (env.FOLLOW_FILTER && !env.FOLLOW_URL) {
    ctx.addIssue({ code: 'custom', path: ['FOLLOW_FILTER'], message: 'needs FOLLOW_URL' });
  }
  if (env.FOLLOW_FILTER) {
    const problem = followFilterProblem(env.FOLLOW_FILTER);
    if (problem) ctx.addIssue({ code: 'custom', path: ['FOLLOW_FILTER'], message: problem });
  }
  if (env.AUTH_MODE === 'none' && env.READS_REQUIRE_AUTH) {
    ctx.addIssue({ code: 'custom', path: ['READS_REQUIRE_AUTH'], message: 'needs AUTH_MODE apikey or jwt' });
  }
}, { when: ({ issues }) => !issues.some((issue) => CROSS_CHECKED.has(String(issue.path?.[0]))) });

type RedisEnv = { [name in (typeof REDIS_ENDPOINT_VARIABLES)[number] | 'REDIS_SENTINEL_MASTER' | 'REDIS_SENTINEL_PASSWORD' | 'REDIS_USERNAME' | 'REDIS_PASSWORD' | 'REDIS_WAIT_REPLICAS']?: unknown } & { REDIS_TLS?: boolean };

/** One way of reaching Redis, with the settings that belong to it and none that belong to another. */
function redisEndpointProblems(env: RedisEnv, ctx: z.RefinementCtx): void {
  const set = REDIS_ENDPOINT_VARIABLES.filter((name) => env[name] !== undefined);
  if (set.length > 1) ctx.addIssue({ code: 'custom', path: [set[1] as string], message: `set only one of ${REDIS_ENDPOINT_VARIABLES.join(', ')} (${set.join(' and ')} are set)` });
  const needs = (name: keyof RedisEnv, what: string, present: boolean) => {
    if (env[name] !== undefined && !present) ctx.addIssue({ code: 'custom', path: [name], message: `needs ${what}` });
  };
  const sentinel = env.REDIS_SENTINELS !== undefined;
  needs('REDIS_SENTINEL_MASTER', 'REDIS_SENTINELS', sentinel);
  needs('REDIS_SENTINEL_PASSWORD', 'REDIS_SENTINELS', sentinel);
  if (sentinel && env.REDIS_SENTINEL_MASTER === undefined) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_SENTINEL_MASTER'], message: 'is required with REDIS_SENTINELS: the name the Sentinels monitor the primary under' });
  }
  const serverAuth = sentinel || env.REDIS_CLUSTER_NODES !== undefined;
  const inUrl = 'REDIS_SENTINELS or REDIS_CLUSTER_NODES (with REDIS_URL, put it in the URL)';
  needs('REDIS_USERNAME', inUrl, serverAuth);
  // Not REDIS_PASSWORD: Kubernetes builds a REDIS_URL from it ($(REDIS_PASSWORD)), and the URL's own counts then.
  if (env.REDIS_TLS && !serverAuth) ctx.addIssue({ code: 'custom', path: ['REDIS_TLS'], message: `needs ${inUrl.replace('put it in', 'use rediss:// in')}` });
  // WAIT answers for the connection it is sent on; a Cluster client sends a keyless command to any node.
  if (env.REDIS_CLUSTER_NODES !== undefined && Number(env.REDIS_WAIT_REPLICAS ?? 0) > 0) {
    ctx.addIssue({ code: 'custom', path: ['REDIS_WAIT_REPLICAS'], message: 'is not supported with REDIS_CLUSTER_NODES; use a Sentinel deployment (REDIS_SENTINELS) to confirm writes on replicas' });
  }
}

/** The endpoint the validated variables describe, if any. */
function redisEndpointOf(v: z.infer<typeof envSchema>): RedisEndpoint | undefined {
  const auth = { username: v.REDIS_USERNAME, password: v.REDIS_PASSWORD, tls: v.REDIS_TLS };
  if (v.REDIS_URL) return { mode: 'single', url: v.REDIS_URL };
  if (v.REDIS_SENTINELS) {
    return { mode: 'sentinel', sentinels: v.REDIS_SENTINELS, masterName: v.REDIS_SENTINEL_MASTER as string, sentinelPassword: v.REDIS_SENTINEL_PASSWORD, ...auth };
  }
  if (v.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: v.REDIS_CLUSTER_NODES, ...auth };
  return undefined;
}

/** The registry's settings, read once from the environment at start-up. */
export interface Config {
  /** TCP port of the HTTP server. @defaultValue 8000 */
  readonly port: number;
  /** Interface the HTTP server binds to. @defaultValue `0.0.0.0` */
  readonly host: string;
  /**
   * The Redis to use: one server (`REDIS_URL`), a primary found through Sentinel (`REDIS_SENTINELS`,
   * `REDIS_SENTINEL_MASTER`) or a Redis Cluster (`REDIS_CLUSTER_NODES`); when none is set the
   * embedded in-process store is used. @defaultValue unset
   */
  readonly redis: RedisEndpoint | undefined;
  /** Prefix of every Redis key; must contain a `{hash tag}` so all keys share one cluster slot. @defaultValue `a2a:{registry}:` */
  readonly redisPrefix: string;
  /** Upper bound of one Redis command on a request path, in milliseconds. @defaultValue 1000 */
  readonly redisCommandTimeoutMs: number;
  /**
   * How many Redis replicas must confirm each write a client is answered for (`WAIT`) before it is
   * answered as stored, and for how long to wait for them (`REDIS_WAIT_TIMEOUT_MS`). A write they do
   * not confirm in time is answered 503 `write_unconfirmed`: applied on the primary, not known to
   * survive its loss. 0 replicas: no waiting. @defaultValue 0 replicas, 1000 ms
   */
  readonly redisWait: { replicas: number; timeoutMs: number };
  /** pino log level. @defaultValue `info` */
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /**
   * Whether every request writes one log line (method, route template, status, duration, request
   * id, principal) at `info`; probes and scrapes at `debug`. @defaultValue true
   */
  readonly accessLog: boolean;
  /** Largest accepted request body once decompressed, in bytes (`BODY_LIMIT` accepts `kb`/`mb` suffixes). @defaultValue 1 MiB */
  readonly bodyLimitBytes: number;
  /** Deepest nesting of arrays and objects accepted in a JSON body. @defaultValue 64 */
  readonly jsonMaxDepth: number;
  /**
   * About the most bytes of agent records one response carries (`RESPONSE_MAX_BYTES` accepts
   * `kb`/`mb`): a page that would hold more is cut short with a cursor to the rest, and the calls of
   * a JSON-RPC batch past it are answered with an error. @defaultValue 8 MiB
   */
  readonly responseMaxBytes: number;
  /**
   * How long the outcome of a write sent with an idempotency key is kept, in seconds: a retry with
   * the same key within it gets that outcome instead of writing again. @defaultValue 86400
   */
  readonly idempotencyTtlSeconds: number;
  /**
   * About how many events the change log keeps (`GET /changes`): a reader further behind gets 410
   * and starts again from a listing. @defaultValue 100000
   */
  readonly changeLogEvents: number;
  /** Most `GET /changes/stream` clients one API process serves at once; more get 503. @defaultValue 1000 */
  readonly changeStreamsMax: number;
  /** How often an idle change stream sends a comment line so that proxies keep it open, in seconds. @defaultValue 15 */
  readonly changeStreamHeartbeatSeconds: number;
  /** Base URL the registry is reached at, used in its own agent card. @defaultValue `http://localhost:{PORT}` */
  readonly publicUrl: string;
  /** `max-age` of `GET /agents/{id}/card` responses, in seconds. @defaultValue 60 */
  readonly cardCacheMaxAgeSeconds: number;
  /** `api` serves HTTP, `worker` runs the sweeps (and only health routes), `all` both. @defaultValue `all` */
  readonly role: Role;
  /**
   * Most agent records one replica caches in memory; 0 turns the cache off. Without Redis, most
   * records read lately that the embedded store keeps as readers got them, cards unpacked. @defaultValue 10000
   */
  readonly cacheMaxEntries: number;
  /** Most bytes of agent records one replica caches (`CACHE_MAX_BYTES` accepts `kb`/`mb`). @defaultValue 64 MiB */
  readonly cacheMaxBytes: number;
  /**
   * Costly search walks (more than a few hundred candidates last time) one replica runs in Redis at
   * once; the others wait their turn in the replica, so rare searches and reads do not queue behind
   * them, at the price of some broad-search throughput of a lone replica. 0: no limit. @defaultValue 2
   */
  readonly searchCostlyConcurrency: number;
  /** Liveness TTL of agents that register without their own; 0 turns expiry off for them. @defaultValue 0 */
  readonly heartbeatTtlSeconds: number;
  /** How long an inactive agent stays (readable by id) before it is deleted. @defaultValue 3600 */
  readonly heartbeatGraceSeconds: number;
  /** Period of the expiry sweep, in seconds. @defaultValue 10 */
  readonly sweepIntervalSeconds: number;
  /**
   * How long a deleted agent's tombstone stays (listed by `updated_since` with `include_deleted`)
   * before the sweep removes it, in days; 0 removes them at the next sweep. @defaultValue 30
   */
  readonly tombstoneRetentionDays: number;
  /** Deadline of a graceful shutdown after SIGTERM, in milliseconds. @defaultValue 10000 */
  readonly shutdownTimeoutMs: number;
  /** Idle keep-alive timeout of HTTP connections; longer than a load balancer's (often 60 s). @defaultValue 65000 */
  readonly keepAliveTimeoutMs: number;
  /** Serve `/metrics` on this port instead of the API port; unset: on the API port. @defaultValue unset */
  readonly metricsPort: number | undefined;
  /** Who may write: `none` (anyone, as admin), `apikey` (API_KEYS) or `jwt` (bearer tokens). @defaultValue `none` */
  readonly auth: AuthSettings;
  /** Whether reads need credentials too. @defaultValue false */
  readonly readsRequireAuth: boolean;
  /**
   * Requests per minute per principal (or client address) for reads and for writes, and failed
   * authentications per minute per client address; 0: unlimited. @defaultValue 0, 0 and 30
   */
  readonly rateLimits: { read: number; write: number; failedAuth: number; windowSeconds: number };
  /**
   * Which proxies' `X-Forwarded-For` to believe for client addresses (Express `trust proxy`):
   * `false`, `true`, a hop count, or addresses/subnets such as `loopback, 10.0.0.0/8`. @defaultValue `false`
   */
  readonly trustProxy: boolean | number | string;
  /** Origins browsers may call the API from, `*` for any; empty: no CORS. @defaultValue empty */
  readonly corsOrigins: string[];
  /** Longest a client may take to send a whole request, against slow-loris clients. @defaultValue 30000 */
  readonly requestTimeoutMs: number;
  /** Card signatures: refuse cards without a verified one; keys trusted for every card; keys from each card's origin. */
  readonly signatures: {
    /** @defaultValue false */
    requireSigned: boolean;
    /** A JWKS (`SIGNATURE_TRUSTED_JWKS`, JSON) whose keys are trusted for any card. @defaultValue none */
    trustedJwks: { keys: Record<string, unknown>[] } | undefined;
    /** Also trust the JWKS at the card's own origin (`/.well-known/jwks.json`). @defaultValue true */
    originJwks: boolean;
  };
  /**
   * Outbound fetches (register by URL, card refresh, origin JWKS): https only and public addresses
   * only unless these allow more, for tests and private deployments. @defaultValue both false
   */
  readonly outbound: { allowHttp: boolean; allowPrivateNetworks: boolean };
  /** How often the worker fetches cards registered by URL again. @defaultValue 3600 */
  readonly cardRefreshIntervalSeconds: number;
  /**
   * AI Catalog ingests (register-by-URL of a catalog, and the worker's reads of it on the card refresh
   * schedule): entries registered at once (`CATALOG_INGEST_CONCURRENCY`, default 8), most entries one
   * ingest reads over all its nested catalogs (`CATALOG_INGEST_MAX_ENTRIES`, default 5000), how long a
   * request's ingest goes on starting entries before the worker takes over (`CATALOG_INGEST_DEADLINE_SECONDS`,
   * default 15), and how long an entry that left its catalog stays deprecated before its agent is
   * deleted (`CATALOG_REMOVAL_GRACE_HOURS`, default 72).
   */
  readonly catalogIngest: { concurrency: number; maxEntries: number; deadlineSeconds: number; removalGraceHours: number };
  /**
   * Domain proofs: how long a challenge may be answered (`DOMAIN_CHALLENGE_TTL_SECONDS`), and the URL
   * template the registry fetches its document from (`DOMAIN_CHALLENGE_URL`; `{domain}` must be its
   * host; a port there is for tests and private deployments). Fetched through the outbound policy.
   * @defaultValue 3600 s, `https://{domain}/.well-known/a2a-registry-challenge/{token}`
   */
  readonly domainChallenge: { ttlSeconds: number; urlTemplate: string };
  /**
   * Makes this registry a read-only mirror of another one (`FOLLOW_URL`, its base URL), kept in step
   * by the process that runs the worker (docs/operations.md, "Mirrors"). Unset: not a mirror.
   * @defaultValue unset
   */
  readonly follow: FollowSettings | undefined;
  /**
   * The AI Catalog documents (`/.well-known/ai-catalog.json`, `/.well-known/ard.json`): agents a page
   * holds at most (`CATALOG_PAGE_SIZE`), and the private JWK that signs every document
   * (`CATALOG_SIGNING_KEY`; its public half is served at `/.well-known/jwks.json`).
   * @defaultValue 100 agents a page; unsigned
   */
  readonly catalog: { pageSize: number; signingKey: CatalogSigningKey | undefined };
  /**
   * The worker's probes of registered agents (`PROBE_*`, docs/probes.md); undefined when
   * `PROBE_ENABLED` is not set: probing sends requests to every publisher, which an operator
   * should choose, with a budget, rather than find on. @defaultValue undefined (off)
   */
  readonly probes: ProbeConfig | undefined;
}

/** The budget of the worker's probes (`PROBE_*`). */
export interface ProbeConfig {
  /** Seconds between two probes of an agent that answers. @defaultValue 3600 */
  intervalSeconds: number;
  /** Most probes started per second by the whole worker fleet (one probe run at a time). @defaultValue 5 */
  ratePerSecond: number;
  /** Most probes in flight at once against one origin. @defaultValue 2 */
  originConcurrency: number;
  /** Time allowed for each request of a probe, in milliseconds. @defaultValue 5000 */
  timeoutMs: number;
  /** Longest wait between probes of an agent that keeps failing (the wait doubles up to it), in seconds. @defaultValue 86400 */
  maxBackoffSeconds: number;
}

/** How a mirror follows its source (`FOLLOW_*`). */
export interface FollowSettings {
  /** The source registry's base URL, without a trailing slash. */
  url: string;
  /** Sent to the source as `Authorization: Bearer <key>` (an API key or a token); unset: no credentials. @defaultValue unset */
  apiKey: string | undefined;
  /**
   * The source's search filters, as a query string (`tag=weather&provider=Acme`): the mirror keeps only the
   * agents that match all of them, and drops an agent that stops matching. Empty: every agent. @defaultValue empty
   */
  filter: string;
  /** How long the mirror waits before asking the source's change log again once it has caught up, in seconds. @defaultValue 1 */
  pollSeconds: number;
  /** The longest wait between two tries while the source does not answer (the waits double up to it), in seconds. @defaultValue 30 */
  retryMaxSeconds: number;
}

/**
 * Why a `FOLLOW_FILTER` cannot select a sub-registry, or undefined when it can: it must be the
 * source's structured search filters only (no words, pages or listing flags), which the mirror can
 * check on each card itself.
 */
function followFilterProblem(filter: string): string | undefined {
  const params = new URLSearchParams(filter);
  const refused = [...params.keys()].filter((key) => !FOLLOW_FILTER_KEYS.has(key));
  if (refused.length > 0) return `expected structured search filters (${[...FOLLOW_FILTER_KEYS].join(', ')}); not ${refused.join(', ')}`;
  if ([...params.keys()].length === 0) return 'expected a query string such as tag=weather&provider=Acme';
  return undefined;
}

/** The search parameters a mirror's filter may use: those the index answers exactly, term by term. */
const FOLLOW_FILTER_KEYS = new Set(['skill', 'tag', 'input_mode', 'output_mode', 'binding', 'provider', 'extension', 'signature_status', 'streaming', 'push_notifications']);

function authOf(v: z.infer<typeof envSchema>): Config['auth'] {
  switch (v.AUTH_MODE) {
    case 'apikey':
      return { mode: 'apikey', keys: v.API_KEYS ?? [] };
    case 'jwt':
      return { mode: 'jwt', jwksUrl: v.JWT_JWKS_URL ?? '', issuer: v.JWT_ISSUER ?? '', audience: v.JWT_AUDIENCE ?? '', roleClaim: v.JWT_ROLE_CLAIM };
    default:
      return { mode: 'none' };
  }
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
    redis: redisEndpointOf(v),
    redisPrefix: v.REDIS_PREFIX,
    redisCommandTimeoutMs: v.REDIS_COMMAND_TIMEOUT_MS,
    redisWait: { replicas: v.REDIS_WAIT_REPLICAS, timeoutMs: v.REDIS_WAIT_TIMEOUT_MS },
    logLevel: v.LOG_LEVEL,
    accessLog: v.ACCESS_LOG,
    bodyLimitBytes: v.BODY_LIMIT,
    jsonMaxDepth: v.JSON_MAX_DEPTH,
    responseMaxBytes: v.RESPONSE_MAX_BYTES,
    idempotencyTtlSeconds: v.IDEMPOTENCY_TTL_SECONDS,
    changeLogEvents: v.CHANGE_LOG_EVENTS,
    changeStreamsMax: v.CHANGE_STREAMS_MAX,
    changeStreamHeartbeatSeconds: v.CHANGE_STREAM_HEARTBEAT_SECONDS,
    publicUrl: (v.PUBLIC_URL ?? `http://localhost:${v.PORT}`).replace(/\/+$/, ''),
    cardCacheMaxAgeSeconds: v.CARD_CACHE_MAX_AGE_SECONDS,
    role: v.ROLE,
    cacheMaxEntries: v.CACHE_MAX_ENTRIES,
    cacheMaxBytes: v.CACHE_MAX_BYTES,
    searchCostlyConcurrency: v.SEARCH_COSTLY_CONCURRENCY,
    heartbeatTtlSeconds: v.HEARTBEAT_TTL_SECONDS,
    heartbeatGraceSeconds: v.HEARTBEAT_GRACE_SECONDS,
    sweepIntervalSeconds: v.SWEEP_INTERVAL_SECONDS,
    tombstoneRetentionDays: v.TOMBSTONE_RETENTION_DAYS,
    shutdownTimeoutMs: v.SHUTDOWN_TIMEOUT_MS,
    keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    metricsPort: v.METRICS_PORT,
    auth: authOf(v),
    readsRequireAuth: v.READS_REQUIRE_AUTH,
    rateLimits: {
      read: v.RATE_LIMIT_READS_PER_MINUTE,
      write: v.RATE_LIMIT_WRITES_PER_MINUTE,
      failedAuth: v.RATE_LIMIT_FAILED_AUTH_PER_MINUTE,
      windowSeconds: 60,
    },
    trustProxy: v.TRUST_PROXY,
    corsOrigins: v.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean),
    requestTimeoutMs: v.REQUEST_TIMEOUT_MS,
    signatures: { requireSigned: v.REQUIRE_SIGNED_CARDS, trustedJwks: v.SIGNATURE_TRUSTED_JWKS, originJwks: v.SIGNATURE_ORIGIN_JWKS },
    outbound: { allowHttp: v.OUTBOUND_ALLOW_HTTP, allowPrivateNetworks: v.OUTBOUND_ALLOW_PRIVATE_NETWORKS },
    cardRefreshIntervalSeconds: v.CARD_REFRESH_INTERVAL_SECONDS,
    catalogIngest: {
      concurrency: v.CATALOG_INGEST_CONCURRENCY,
      maxEntries: v.CATALOG_INGEST_MAX_ENTRIES,
      deadlineSeconds: v.CATALOG_INGEST_DEADLINE_SECONDS,
      removalGraceHours: v.CATALOG_REMOVAL_GRACE_HOURS,
    },
    domainChallenge: { ttlSeconds: v.DOMAIN_CHALLENGE_TTL_SECONDS, urlTemplate: v.DOMAIN_CHALLENGE_URL },
    catalog: { pageSize: v.CATALOG_PAGE_SIZE, signingKey: v.CATALOG_SIGNING_KEY },
    follow: v.FOLLOW_URL
      ? {
          url: v.FOLLOW_URL.replace(/\/+$/, ''),
          apiKey: v.FOLLOW_API_KEY,
          filter: v.FOLLOW_FILTER ?? '',
          pollSeconds: v.FOLLOW_POLL_SECONDS,
          retryMaxSeconds: v.FOLLOW_RETRY_MAX_SECONDS,
        }
      : undefined,
    probes: v.PROBE_ENABLED
      ? {
          intervalSeconds: v.PROBE_INTERVAL_SECONDS,
          ratePerSecond: v.PROBE_RATE_PER_SECOND,
          originConcurrency: v.PROBE_ORIGIN_CONCURRENCY,
          timeoutMs: v.PROBE_TIMEOUT_MS,
          maxBackoffSeconds: v.PROBE_MAX_BACKOFF_SECONDS,
        }
      : undefined,
  });
}
