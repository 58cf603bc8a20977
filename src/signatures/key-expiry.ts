/**
 * Key sets whose keys may retire themselves. RFC 7517 gives a JWK no expiry, but some publishers put
 * a JWT-style `exp` (seconds since 1970) on a key so it stops being trusted without a new JWKS: the
 * registry honours it. A signature whose key has only expired matches then says `expired_key`, not
 * "no trusted key", so its publisher knows to rotate.
 */
import { createLocalJWKSet, type JSONWebKeySet, type JWK, type LocalJWKSet } from 'jose';
import type { KeyHint } from './card-signature-verifier.js';

/** When a key stops being trusted, in ms since 1970, or undefined when it does not say. */
function expiryOf(key: JWK): number | undefined {
  const exp = (key as { exp?: unknown }).exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}

const isExpired = (key: JWK, now: number): boolean => (expiryOf(key) ?? Infinity) <= now;

/** A JWKS read once, whose live keys are those not past their `exp` at the time asked. */
export class ExpiringKeySet {
  private readonly keys: readonly JWK[];
  private live: { keySet: LocalJWKSet; until: number } | undefined;

  /** @throws {errors.JWKSInvalid} when `jwks` is not a JSON Web Key Set. */
  constructor(jwks: JSONWebKeySet) {
    createLocalJWKSet(jwks); // refuses a document that is not a key set, before any key is used
    this.keys = jwks.keys;
  }

  /** The keys trusted at `now`; rebuilt only when one of them expires. */
  liveAt(now: number): LocalJWKSet {
    if (this.live && now < this.live.until) return this.live.keySet;
    const keys = this.keys.filter((key) => !isExpired(key, now));
    const until = Math.min(...keys.map((key) => expiryOf(key) ?? Infinity));
    this.live = { keySet: createLocalJWKSet({ keys }), until };
    return this.live.keySet;
  }

  /** An expired key the hint names (its `kid`, or without one its `alg`), or undefined. */
  expiredFor(hint: KeyHint, now: number): JWK | undefined {
    return this.keys.find(
      (key) => isExpired(key, now) && (hint.kid === undefined || key.kid === hint.kid) && (key.alg === undefined || key.alg === hint.alg),
    );
  }
}

/** The time a key expired, for messages. */
export function expiryText(key: JWK): string {
  return new Date(expiryOf(key) ?? 0).toISOString();
}
