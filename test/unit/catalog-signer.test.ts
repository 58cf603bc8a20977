import { generateKeyPairSync } from 'node:crypto';
import { compactVerify, createLocalJWKSet } from 'jose';
import { describe, expect, it } from 'vitest';
import { CatalogSigner } from '../../src/catalog/catalog-signer.js';
import type { CatalogDocument } from '../../src/catalog/catalog-responses.js';
import { parseCatalogSigningKey } from '../../src/catalog/signing-key.js';
import { canonicalJson } from '../../src/signatures/card-canonical.js';

const signerOf = (type: 'ec' | 'ed25519') => {
  const { privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  const key = parseCatalogSigningKey(JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid: `${type}-1` }));
  if (typeof key === 'string') throw new Error(key);
  return new CatalogSigner(key);
};

const document: CatalogDocument = {
  specVersion: '1.0',
  host: { displayName: 'Registry' },
  entries: [{ identifier: 'urn:air:r.example:agents:a', displayName: 'Ä agent', type: 'application/a2a-agent-card+json', url: 'https://r.example/agents/a/card' }],
};

async function verify(signed: CatalogDocument, signer: CatalogSigner) {
  const { signature, ...unsigned } = signed;
  const [header, empty, value] = (signature as string).split('.');
  expect(empty).toBe('');
  return compactVerify(`${header}.${Buffer.from(canonicalJson(unsigned)).toString('base64url')}.${value}`, createLocalJWKSet(signer.jwks() as never));
}

describe('the catalog signer', () => {
  it.each(['ec', 'ed25519'] as const)('signs the JCS form of the document without its signature, detached, verifiable with its JWKS (%s)', async (type) => {
    const signer = signerOf(type);
    const signed = await signer.sign(document);
    expect(signed).toMatchObject(document);
    const { protectedHeader } = await verify(signed, signer);
    expect(protectedHeader).toEqual({ alg: type === 'ec' ? 'ES256' : 'EdDSA', kid: `${type}-1` });
  });

  it('signs the same content with the same bytes, and replaces a signature the document already had', async () => {
    const signer = signerOf('ec');
    const first = await signer.sign(document);
    expect(await signer.sign(document)).toEqual(first);
    expect(await signer.sign({ ...document, signature: 'stale' })).toEqual(first);
  });

  it('makes a signature that a changed document no longer verifies with', async () => {
    const signer = signerOf('ed25519');
    const signed = await signer.sign(document);
    await expect(verify({ ...signed, host: { displayName: 'Someone else' } }, signer)).rejects.toThrow();
  });
});
