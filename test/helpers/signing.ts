import { exportJWK, FlattenedSign, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { canonicalJson, signingFormOf } from '../../src/signatures/card-canonical.js';

type Card = Record<string, unknown>;

/** A key pair made in the test, and its public JWK for a trust store. */
export interface Signer {
  kid: string;
  alg: 'ES256' | 'EdDSA';
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function newSigner(alg: Signer['alg'], kid: string): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, publicJwk };
}

export function header(signer: Signer, extra: Record<string, unknown> = {}) {
  return { alg: signer.alg, typ: 'JOSE', kid: signer.kid, ...extra };
}

/** The bytes a signer following the specification signs: the card's signing form as RFC 8785 text, in UTF-8. */
export function signingPayloadOf(card: Card): Uint8Array {
  return new TextEncoder().encode(canonicalJson(signingFormOf(card)));
}

/** A detached flattened JWS over the card's canonical payload, as an AgentCardSignature. */
export async function flattenedSignature(card: Card, signer: Signer, extra: Record<string, unknown> = {}) {
  const jws = await new FlattenedSign(signingPayloadOf(card)).setProtectedHeader(header(signer, extra)).sign(signer.privateKey);
  return { protected: jws.protected as string, signature: jws.signature };
}

