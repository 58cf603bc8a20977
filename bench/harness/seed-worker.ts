/**
 * One of the harness's seeding processes: registers the cards of indexes `from` to `to` - 1
 * through the registry's own AgentService over its RedisAgentStore, loaded from the built dist/,
 * so the records and index sets are exactly what a registration over HTTP writes, without HTTP.
 * Many registrations in flight on one auto-pipelined connection keep Redis busy.
 * Usage: seed-worker.ts <redis-url> <key-prefix> <bench|small> <from> <to> [in-flight] [dist]
 * `in-flight`: registrations in flight at once (default {@link IN_FLIGHT}); `dist`: the build to
 * load (default this checkout's dist/; the save script comparison gives one with another revision's scripts).
 */
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { JSONWebKeySet } from 'jose';
import { benchCard, smallBenchCard } from '../scenarios.js';

/** Registrations in flight at once: enough to fill Redis's pipeline, few enough to bound memory. */
const IN_FLIGHT = 256;

const [url, prefix, cards, fromText, toText, inFlightText, distDir] = process.argv.slice(2) as [string, string, string, string, string, string?, string?];
const distRoot = distDir ? pathToFileURL(`${distDir}/`) : new URL('../../dist/', import.meta.url);
const dist = (path: string) => new URL(path, distRoot).href;
// Typed by the sources the build compiles; loaded from the build, as the registry process is.
const { loadConfig } = (await import(dist('config/config.js'))) as typeof import('../../src/config/config.js');
const { AgentService } = (await import(dist('agents/agent-service.js'))) as typeof import('../../src/agents/agent-service.js');
const { storedCards } = (await import(dist('agents/stored-cards.js'))) as typeof import('../../src/agents/stored-cards.js');
const { actorOf } = (await import(dist('auth/auth-middleware.js'))) as typeof import('../../src/auth/auth-middleware.js');
const { ANONYMOUS_ADMIN } = (await import(dist('auth/principal.js'))) as typeof import('../../src/auth/principal.js');
const { signaturePolicy } = (await import(dist('signatures/signature-policy.js'))) as typeof import('../../src/signatures/signature-policy.js');
const { RedisAgentStore } = (await import(dist('store/redis-agent-store.js'))) as typeof import('../../src/store/redis-agent-store.js');
const { redisKeys } = (await import(dist('store/redis-keys.js'))) as typeof import('../../src/store/redis-keys.js');

const cardOf = cards === 'small' ? smallBenchCard : benchCard;
// The configuration the harness's registry runs with: the same environment and key prefix.
const config = loadConfig({ ...process.env, REDIS_URL: url, REDIS_PREFIX: prefix });
const redis = new Redis(url, { enableAutoPipelining: true });
const store = new RedisAgentStore(redis, redisKeys(config.redisPrefix), storedCards);
const agents = new AgentService(store, {
  defaultTtlSeconds: config.heartbeatTtlSeconds,
  // Bench cards carry no signatures, so no origin's keys are ever fetched.
  signatures: signaturePolicy({
    requireSigned: config.signatures.requireSigned,
    trustedJwks: config.signatures.trustedJwks as JSONWebKeySet | undefined,
    originFetcher: undefined,
  }),
  refreshIntervalSeconds: config.cardRefreshIntervalSeconds,
  idempotencyTtlSeconds: config.idempotencyTtlSeconds,
});
// As a registry process does before it writes: an empty prefix is marked with the data layout.
const layoutProblem = await store.checkLayout();
if (layoutProblem) throw new Error(layoutProblem);
// The principal of every request of a registry with AUTH_MODE=none, as the harness's runs.
const actor = actorOf(ANONYMOUS_ADMIN);

let next = Number(fromText);
const end = Number(toText);
const register = async () => {
  while (next < end) {
    const card = cardOf(next++);
    await agents.register({ card, cardJson: JSON.stringify(card), cardPath: '$.agent_card', actor });
  }
};
await Promise.all(Array.from({ length: inFlightText ? Number(inFlightText) : IN_FLIGHT }, register));
await store.close();
