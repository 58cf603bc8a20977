/**
 * Verification of an AI Catalog's own signature: its top-level `signature` member, a detached JWS
 * in compact serialisation (`{protected}..{signature}`) over the RFC 8785 (JCS) form of the
 * document without that member, as this registry signs its own catalog (`catalog-signer.ts`).
 */
import { base64url, compactVerify, decodeProtectedHeader } from 'jose';
import { canonicalJson } from './card-canonical.js';
import { DEFAULT_SIGNATURE_ALGORITHMS, type KeyResolver, type SignatureStatus, type VerificationKey } from './card-signature-verifier.js';

/**
 * Checks the `signature` of the catalog document `document`, fetched from `url`, with the keys
 * `resolver` trusts for that URL's origin: `unsigned` without one, `invalid` when it is malformed,
 * names no trusted key, its keys could not be fetched, or it does not verify. Never throws.
 */
export async function verifyCatalogSignature(document: Record<string, unknown>, url: string, resolver: KeyResolver): Promise<SignatureStatus> {
  if (!Object.hasOwn(document, 'signature')) return 'unsigned';
  const { signature, ...unsigned } = document;
  if (typeof signature !== 'string') return 'invalid';
  const [protectedHeader, payload, value, ...rest] = signature.split('.');
  if (rest.length > 0 || payload !== '' || !protectedHeader || !value) return 'invalid';
  try {
    const header = decodeProtectedHeader(signature);
    // The cards' allow-list: no `none`, no shared-secret (HMAC) algorithm a published key set could never vouch for.
    if (typeof header.alg !== 'string' || !DEFAULT_SIGNATURE_ALGORITHMS.includes(header.alg)) return 'invalid';
    const keys = await resolver.resolve(
      { alg: header.alg, ...(typeof header.kid === 'string' ? { kid: header.kid } : {}), ...(typeof header.jku === 'string' ? { jku: header.jku } : {}) },
      new URL(url).origin,
    );
    const jws = `${protectedHeader}.${base64url.encode(canonicalJson(unsigned))}.${value}`;
    for (const key of keyList(keys)) {
      if (await verifiesWith(jws, key, header.alg)) return 'verified';
    }
    return 'invalid';
  } catch {
    return 'invalid';
  }
}

function keyList(keys: VerificationKey | readonly VerificationKey[] | undefined): readonly VerificationKey[] {
  if (keys === undefined) return [];
  return Array.isArray(keys) ? keys : [keys as VerificationKey];
}

async function verifiesWith(jws: string, key: VerificationKey, alg: string): Promise<boolean> {
  try {
    await compactVerify(jws, key, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}
