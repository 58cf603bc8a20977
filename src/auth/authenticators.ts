import { createHash, timingSafeEqual } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { UnauthorizedError, UnavailableError } from '../errors.js';
import { ANONYMOUS_ADMIN, type Principal, type Role } from './principal.js';

/** The request headers credentials come in. */
export interface CredentialHeaders {
  authorization?: string | undefined;
  apiKey?: string | undefined;
}

/**
 * Proves who a request acts for. Resolves undefined when the request carries no credentials,
 * and throws UnauthorizedError when it carries credentials that prove nothing.
 */
export interface Authenticator {
  readonly mode: 'none' | 'apikey' | 'jwt';
  authenticate(headers: CredentialHeaders): Promise<Principal | undefined>;
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** AUTH_MODE=none: every request acts as an admin. For the embedded quick start only. */
export const openAuthenticator: Authenticator = {
  mode: 'none',
  authenticate: async () => ANONYMOUS_ADMIN,
};

/** One API key as configured: its owner's name, role and the SHA-256 of the key (never the key itself). */
export interface ApiKeyEntry {
  principal: string;
  role: Role;
  sha256: string;
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** AUTH_MODE=apikey: `Authorization: Bearer <key>` or `X-API-Key: <key>`, checked against stored hashes. */
export function apiKeyAuthenticator(entries: readonly ApiKeyEntry[]): Authenticator {
  const byHash = new Map(entries.map((entry) => [entry.sha256.toLowerCase(), entry]));
  return {
    mode: 'apikey',
    async authenticate(headers) {
      const key = headers.apiKey ?? bearerToken(headers.authorization);
      if (key === undefined) {
        if (headers.authorization) throw new UnauthorizedError('Authorization must be "Bearer <api key>"');
        return undefined;
      }
      const hash = sha256Hex(key);
      const entry = byHash.get(hash);
      // Compare the found hash in constant time so a near miss takes as long as a hit.
      if (!entry || !timingSafeEqual(Buffer.from(entry.sha256.toLowerCase()), Buffer.from(hash))) {
        throw new UnauthorizedError('Unknown API key');
      }
      return { id: entry.principal, role: entry.role };
    },
  };
}

/** Who may write, as the configuration says (AUTH_MODE and its settings). */
export type AuthSettings = { mode: 'none' } | { mode: 'apikey'; keys: ApiKeyEntry[] } | ({ mode: 'jwt' } & JwtOptions);

export interface JwtOptions {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Claim that holds the role (a string or a list); `admin` makes an admin, anything else a publisher. */
  roleClaim: string;
}

/** Signature algorithms accepted for bearer tokens; `none` and HMAC (shared secrets) are not among them. */
const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

function roleOf(payload: JWTPayload, claim: string): Role {
  const value = payload[claim];
  const roles = Array.isArray(value) ? value : [value];
  return roles.includes('admin') ? 'admin' : 'publisher';
}

/**
 * Whether a key lookup failed because the issuer's key set could not be had (no answer in time, a
 * status other than 200, a document that is not a key set, a network error) rather than because
 * the token names no key in it: the token may well be valid, so the caller is told to come back.
 */
function keySetUnavailable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.code === errors.JOSEError.code;
}

/** The issuer's key set, fetched and cached by jose; a key set that cannot be had is a 503, not a bad token. */
function issuerKeys(jwksUrl: string): JWTVerifyGetKey {
  const remote = createRemoteJWKSet(new URL(jwksUrl));
  return async (header, token) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (keySetUnavailable(error)) throw new UnavailableError(`The token issuer's key set is unavailable (${(error as Error).message}); try again`);
      throw error;
    }
  };
}

/**
 * AUTH_MODE=jwt: bearer tokens signed by a key of the JWKS, with the configured issuer and audience,
 * a subject, and an expiry (a token without `exp` would be good for ever).
 */
export function jwtAuthenticator(options: JwtOptions): Authenticator {
  const keys = issuerKeys(options.jwksUrl);
  return {
    mode: 'jwt',
    async authenticate(headers) {
      if (!headers.authorization) return undefined;
      const token = bearerToken(headers.authorization);
      if (!token) throw new UnauthorizedError('Authorization must be "Bearer <token>"');
      try {
        const { payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: JWT_ALGORITHMS,
          requiredClaims: ['exp'],
        });
        if (!payload.sub) throw new UnauthorizedError('The token has no subject');
        return { id: payload.sub, role: roleOf(payload, options.roleClaim) };
      } catch (error) {
        if (error instanceof UnauthorizedError || error instanceof UnavailableError) throw error;
        throw new UnauthorizedError(`Invalid token: ${(error as Error).message}`);
      }
    },
  };
}
