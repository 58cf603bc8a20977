import { createHash } from 'node:crypto';
import { CompactSign } from 'jose';
import { canonicalJson } from '../signatures/card-canonical.js';
import type { CatalogDocument, PublishedJwks } from './catalog-responses.js';
import type { CatalogSigningKey } from './signing-key.js';

/** Signatures kept by the digest of what they sign, so that a document that did not change is not signed again. */
const KEPT_SIGNATURES = 512;

/**
 * Signs catalog documents as the AI Catalog defines it: a detached JWS (compact serialisation, the
 * payload part empty) over the RFC 8785 (JCS) form of the document without its `signature` member.
 */
export class CatalogSigner {
  private readonly kept = new Map<string, string>();

  constructor(private readonly key: CatalogSigningKey) {}

  /** The JWKS that verifies every signature this signer makes. */
  jwks(): PublishedJwks {
    return { keys: [this.key.publicJwk] };
  }

  /** `document` with its `signature`. */
  async sign(document: CatalogDocument): Promise<CatalogDocument> {
    const { signature: _old, ...unsigned } = document;
    const payload = canonicalJson(unsigned);
    const digest = createHash('sha256').update(payload).digest('base64url');
    let signature = this.kept.get(digest);
    if (signature === undefined) {
      const compact = await new CompactSign(Buffer.from(payload)).setProtectedHeader({ alg: this.key.alg, kid: this.key.kid }).sign(this.key.privateKey);
      const [header, , value] = compact.split('.');
      signature = `${header}..${value}`;
      // Oldest first out: a Map iterates in insertion order.
      if (this.kept.size >= KEPT_SIGNATURES) this.kept.delete(this.kept.keys().next().value as string);
      this.kept.set(digest, signature);
    }
    return { ...unsigned, signature };
  }
}
