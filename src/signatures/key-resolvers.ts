/**
 * Where the public keys that check agent card signatures come from: a JWKS the operator configured
 * (trusted for every card), the JWKS published at the card's own origin, or the first of several.
 */
import { errors, type JSONWebKeySet, type LocalJWKSet } from 'jose';
import { OrderedMap } from '../ordered-map.js';
import { ExpiredKeyError, type KeyHint, type KeyResolver, type VerificationKey } from './card-signature-verifier.js';
import { ExpiringKeySet, expiryText } from './key-expiry.js';

/**
 * Fetches the JWKS at `jwksUrl`, which is always on `origin`: `{origin}/.well-known/jwks.json`, or
 * a signature's `jku` when that has the same origin. Resolves `undefined` when there is none. The
 * registry injects an SSRF-safe implementation; one that only looks at `origin` and always reads
 * the well-known path is also valid.
 */
export type JwksFetcher = (origin: string, jwksUrl: string) => Promise<JSONWebKeySet | undefined>;

/** Tuning of {@link originJwksResolver}'s cache. */
export interface OriginJwksOptions {
  /** How long a fetched JWKS is reused (default 5 minutes). */
  ttlMs?: number;
  /** How many JWKS documents are cached at most; the oldest is dropped first (default 1000). */
  maxEntries?: number;
  /** A JWKS lacking the wanted key is fetched again once it is at least this old (default 30 s). */
  refetchOnMissAfterMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** At most this many candidate keys are returned for one signature. */
const MAX_CANDIDATE_KEYS = 5;

async function collectCandidates(error: errors.JWKSMultipleMatchingKeys): Promise<VerificationKey[]> {
  const keys: VerificationKey[] = [];
  for await (const key of error) {
    keys.push(key);
    if (keys.length >= MAX_CANDIDATE_KEYS) break;
  }
  return keys;
}

/** The keys of a JWKS usable for the hint's `alg` and, when given, its `kid`. */
async function keysMatching(keySet: LocalJWKSet, hint: KeyHint): Promise<VerificationKey[]> {
  try {
    return [await keySet({ alg: hint.alg, ...(hint.kid === undefined ? {} : { kid: hint.kid }) })];
  } catch (error) {
    if (error instanceof errors.JWKSMultipleMatchingKeys) return collectCandidates(error);
    if (error instanceof errors.JWKSNoMatchingKey) return [];
    throw error;
  }
}

function orUndefined(keys: VerificationKey[]): VerificationKey[] | undefined {
  return keys.length > 0 ? keys : undefined;
}

/** The live keys of a set that match the hint, and when there are none, an expired key it names. */
async function liveKeysMatching(keySet: ExpiringKeySet, hint: KeyHint, now: number) {
  const keys = await keysMatching(keySet.liveAt(now), hint);
  return { keys, expired: keys.length > 0 ? undefined : keySet.expiredFor(hint, now) };
}

/** The keys found, or the error of a signature whose only matching keys have expired. */
function keysOrExpired({ keys, expired }: Awaited<ReturnType<typeof liveKeysMatching>>): VerificationKey[] {
  if (keys.length === 0 && expired) {
    throw new ExpiredKeyError(`key ${JSON.stringify(expired.kid ?? expired.alg ?? 'without kid')} expired at ${expiryText(expired)}`);
  }
  return keys;
}

/**
 * Trusts the keys of a JWKS the operator configured, for any card, matched by `kid` and `alg`,
 * until the `exp` a key may carry.
 *
 * @throws {errors.JWKSInvalid} at creation when `jwks` is not a JSON Web Key Set (a configuration error).
 */
export function trustStoreResolver(jwks: JSONWebKeySet, now: () => number = Date.now): KeyResolver {
  const keySet = new ExpiringKeySet(jwks);
  return {
    async resolve(header) {
      return orUndefined(keysOrExpired(await liveKeysMatching(keySet, header, now())));
    },
  };
}

/** The key set of a fetched document, or `undefined` when it is not a usable JWKS. */
function toKeySet(jwks: JSONWebKeySet | undefined): ExpiringKeySet | undefined {
  if (jwks === undefined) return undefined;
  try {
    return new ExpiringKeySet(jwks);
  } catch {
    return undefined;
  }
}

/** The URL of the JWKS a same-origin `jku` names, or `undefined` for any other `jku`. */
function sameOriginJku(jku: string | undefined, origin: string): string | undefined {
  if (jku === undefined || !URL.canParse(jku)) return undefined;
  const url = new URL(jku);
  if (url.origin !== origin || url.username !== '' || url.password !== '') return undefined;
  url.hash = '';
  return url.href;
}

/** The JWKS URLs to consult for a card origin, most specific first; never off that origin. */
function jwksUrlsFor(hint: KeyHint, origin: string): string[] {
  const wellKnown = `${origin}/.well-known/jwks.json`;
  const fromJku = sameOriginJku(hint.jku, origin);
  return fromJku === undefined || fromJku === wellKnown ? [wellKnown] : [fromJku, wellKnown];
}

interface CacheEntry {
  fetchedAt: number;
  keySet: Promise<ExpiringKeySet | undefined>;
}

/** Fetched JWKS documents by URL, each for a bounded time, in a bounded number. */
class JwksCache {
  private readonly entries = new OrderedMap<string, CacheEntry>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly refetchOnMissAfterMs: number;
  readonly now: () => number;

  constructor(
    private readonly fetchJwks: JwksFetcher,
    options: OriginJwksOptions,
  ) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxEntries = Math.max(1, options.maxEntries ?? 1000);
    this.refetchOnMissAfterMs = options.refetchOnMissAfterMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /** The cached key set of `url`, fetching it when it is absent or expired. */
  get(origin: string, url: string): Promise<ExpiringKeySet | undefined> {
    const entry = this.entries.get(url);
    if (entry && this.now() - entry.fetchedAt < this.ttlMs) return entry.keySet;
    return this.fetch(origin, url);
  }

  /** Whether a key set that lacked a wanted key is old enough to be fetched again. */
  mayRefetch(url: string): boolean {
    const entry = this.entries.get(url);
    return entry !== undefined && this.now() - entry.fetchedAt >= this.refetchOnMissAfterMs;
  }

  fetch(origin: string, url: string): Promise<ExpiringKeySet | undefined> {
    const keySet = this.fetchJwks(origin, url).then(toKeySet);
    this.entries.set(url, { fetchedAt: this.now(), keySet });
    this.entries.trimTo(this.maxEntries);
    keySet.catch(() => {
      if (this.entries.get(url)?.keySet === keySet) this.entries.delete(url);
    });
    return keySet;
  }
}

async function keysAt(cache: JwksCache, origin: string, url: string, hint: KeyHint): Promise<VerificationKey[]> {
  const keySet = await cache.get(origin, url);
  const found = keySet ? await liveKeysMatching(keySet, hint, cache.now()) : { keys: [], expired: undefined };
  if (found.keys.length > 0 || !cache.mayRefetch(url)) return keysOrExpired(found);
  const fresh = await cache.fetch(origin, url);
  return keysOrExpired(fresh ? await liveKeysMatching(fresh, hint, cache.now()) : { keys: [], expired: undefined });
}

/**
 * Trusts the keys a card's own origin publishes: the JWKS at `{origin}/.well-known/jwks.json`, and
 * the one a signature's `jku` names only when that URL is on the card's origin. Any other `jku` is
 * ignored, so a card can never make the registry fetch an arbitrary URL. Fetched documents are
 * cached per URL for `ttlMs` (and fetched again early when a wanted key is missing, for key
 * rotation). Cards without an http(s) origin get no keys.
 */
export function originJwksResolver(fetchJwks: JwksFetcher, options: OriginJwksOptions = {}): KeyResolver {
  const cache = new JwksCache(fetchJwks, options);
  return {
    async resolve(header, cardOrigin) {
      if (cardOrigin === undefined) return undefined;
      const failures: unknown[] = [];
      for (const url of jwksUrlsFor(header, cardOrigin)) {
        try {
          const keys = await keysAt(cache, cardOrigin, url, header);
          if (keys.length > 0) return keys;
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) throw failures[0];
      return undefined;
    },
  };
}

function hasKeys(keys: VerificationKey | readonly VerificationKey[] | undefined): boolean {
  return keys !== undefined && (!Array.isArray(keys) || keys.length > 0);
}

/**
 * Asks each resolver in turn and returns the first keys found. A resolver that throws is skipped;
 * when none finds a key and one threw, the first error is rethrown so the verifier can report it.
 */
export function firstOf(...resolvers: KeyResolver[]): KeyResolver {
  return {
    async resolve(header, cardOrigin) {
      const failures: unknown[] = [];
      for (const resolver of resolvers) {
        try {
          const keys = await resolver.resolve(header, cardOrigin);
          if (hasKeys(keys)) return keys;
        } catch (error) {
          failures.push(error);
        }
      }
      if (failures.length > 0) throw failures[0];
      return undefined;
    },
  };
}
