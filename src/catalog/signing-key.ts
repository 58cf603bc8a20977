import { createPrivateKey, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

/** A private key the registry signs its catalogs with, and its public half as published. */
export interface CatalogSigningKey {
  kid: string;
  /** The JWS algorithm the key's type settles. */
  alg: 'ES256' | 'ES384' | 'EdDSA' | 'RS256';
  privateKey: KeyObject;
  /** The public JWK, with `kid`, `alg` and `use`, as `/.well-known/jwks.json` lists it. */
  publicJwk: JsonWebKey & { kty: string; kid: string; alg: string; use: 'sig' };
}

/** The algorithm of each key type the AI Catalog allows (asymmetric only; never `none` or a MAC). */
function algorithmOf(jwk: JsonWebKey): CatalogSigningKey['alg'] | undefined {
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  if (jwk.kty === 'EC' && jwk.crv === 'P-384') return 'ES384';
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA';
  if (jwk.kty === 'RSA') return 'RS256';
  return undefined;
}

/**
 * Reads `CATALOG_SIGNING_KEY`: a private JWK, as JSON, with a `kid`. Answers the key, or what is
 * wrong with it, so that start-up fails with one clear message.
 */
export function parseCatalogSigningKey(value: string): CatalogSigningKey | string {
  let jwk: JsonWebKey & { kid?: unknown; alg?: unknown };
  try {
    jwk = JSON.parse(value) as typeof jwk;
  } catch {
    return 'expected a private JSON Web Key as JSON, such as {"kty":"EC","crv":"P-256","x":"...","y":"...","d":"...","kid":"catalog-1"}';
  }
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'expected a JSON object (a private JWK)';
  if (typeof jwk.kid !== 'string' || jwk.kid === '') return 'the key needs a "kid", which the signatures name and the JWKS lists';
  const alg = algorithmOf(jwk);
  if (!alg) return 'expected an EC key on P-256 or P-384 (ES256, ES384), an Ed25519 OKP key (EdDSA) or an RSA key (RS256)';
  if (jwk.alg !== undefined && jwk.alg !== alg) return `the key's "alg" (${String(jwk.alg)}) does not fit its type, which signs with ${alg}`;
  if (typeof jwk.d !== 'string') return 'expected a private key (with "d"): the registry signs with it and publishes only its public half';
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  } catch (error) {
    return `the key does not load: ${(error as Error).message}`;
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicMembers } = jwk;
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: publicMembers, format: 'jwk' });
  } catch (error) {
    return `the key's public members do not load: ${(error as Error).message}`;
  }
  // Node takes a JWK whose public members do not belong to its private one: a test signature tells.
  const probe = Buffer.from('catalog-signing-key-check');
  const digest = alg === 'EdDSA' ? null : 'sha256';
  let matches: boolean;
  try {
    matches = verify(digest, probe, publicKey, sign(digest, probe, privateKey));
  } catch {
    matches = false;
  }
  if (!matches) return "the key's public members do not belong to its private key";
  const exported = publicKey.export({ format: 'jwk' });
  const publicJwk = { ...exported, kty: exported.kty ?? String(jwk.kty), kid: jwk.kid, alg, use: 'sig' as const };
  return { kid: jwk.kid, alg, privateKey, publicJwk };
}
