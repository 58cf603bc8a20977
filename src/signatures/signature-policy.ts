import type { JSONWebKeySet } from 'jose';
import { ValidationError } from '../errors.js';
import type { SafeFetcher } from '../outbound/safe-fetch.js';
import { verifyCardSignatures, type KeyResolver, type SignatureStatus, type SignatureVerification } from './card-signature-verifier.js';
import { verifyCatalogSignature } from './catalog-signature.js';
import { firstOf, originJwksResolver, trustStoreResolver } from './key-resolvers.js';

/** How registration treats card signatures. */
export interface SignaturePolicy {
  /** Verifies the signatures of a card's exact text. Never throws. */
  check(cardJson: string): Promise<SignatureVerification>;
  /** Checks the top-level signature of an AI Catalog document fetched from `url`, with the same keys. Never throws. */
  checkCatalog(document: Record<string, unknown>, url: string): Promise<SignatureStatus>;
  /** Refuses cards without a verified signature. */
  readonly requireSigned: boolean;
}

export interface SignaturePolicyOptions {
  requireSigned: boolean;
  /** Keys trusted for any card. */
  trustedJwks: JSONWebKeySet | undefined;
  /** Fetches `{origin}/.well-known/jwks.json` (or a same-origin `jku`) through this fetcher; none: origin keys are not used. */
  originFetcher: SafeFetcher | undefined;
}

const noKeys: KeyResolver = { resolve: async () => undefined };

/** The registry's signature policy: trust store first, then the card's own origin. */
export function signaturePolicy(options: SignaturePolicyOptions): SignaturePolicy {
  const resolvers: KeyResolver[] = [];
  if (options.trustedJwks) resolvers.push(trustStoreResolver(options.trustedJwks));
  const fetcher = options.originFetcher;
  if (fetcher) {
    resolvers.push(
      originJwksResolver(async (_origin, jwksUrl) => {
        const fetched = await fetcher.fetchJson(jwksUrl).catch(() => undefined);
        return fetched?.json as JSONWebKeySet | undefined;
      }),
    );
  }
  const resolver = resolvers.length === 0 ? noKeys : firstOf(...resolvers);
  return {
    requireSigned: options.requireSigned,
    check: (cardJson) => verifyCardSignatures(cardJson, resolver),
    checkCatalog: (document, url) => verifyCatalogSignature(document, url, resolver),
  };
}

/** The refusal of a card without a verified signature when REQUIRE_SIGNED_CARDS is on. */
export function unsignedCardError(verification: SignatureVerification, cardPath: string): ValidationError {
  const problems = verification.problems.length > 0 ? verification.problems : ['the card has no signatures'];
  const reason = verification.error ? ` (${verification.error.code})` : '';
  return new ValidationError(
    `This registry accepts only cards with a verified signature; this one is ${verification.status}${reason}`,
    problems.map((message) => ({ path: `${cardPath}.signatures`, message })),
    'signature_required',
  );
}
