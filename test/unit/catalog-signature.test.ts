import { CompactSign } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/signatures/card-canonical.js';
import { verifyCatalogSignature } from '../../src/signatures/catalog-signature.js';
import type { KeyResolver } from '../../src/signatures/card-signature-verifier.js';
import { trustStoreResolver } from '../../src/signatures/key-resolvers.js';
import { newSigner, type Signer } from '../helpers/signing.js';

const URL_OF_CATALOG = 'https://publisher.example/.well-known/ai-catalog.json';
const catalog = { specVersion: '1.0', host: { displayName: 'Publisher' }, entries: [{ identifier: 'urn:air:publisher.example:a:b', displayName: 'B', type: 'application/a2a-agent-card+json', url: 'https://publisher.example/b.json' }] };

async function jwsOver(document: Record<string, unknown>, signer: Signer, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(new TextEncoder().encode(canonicalJson(document))).setProtectedHeader({ alg: signer.alg, kid: signer.kid, ...header }).sign(signer.privateKey);
}
const detached = (jws: string) => jws.replace(/\.[^.]*\./, '..');

describe('the signature of an AI Catalog document', () => {
  let signer: Signer;
  let resolver: KeyResolver;
  beforeAll(async () => {
    signer = await newSigner('EdDSA', 'publisher-1');
    resolver = trustStoreResolver({ keys: [signer.publicJwk] });
  });

  it('is unsigned without a signature member', async () => {
    expect(await verifyCatalogSignature(catalog, URL_OF_CATALOG, resolver)).toBe('unsigned');
  });

  it('verifies over the JCS form of the document without it, whatever the order of its members', async () => {
    const signature = detached(await jwsOver(catalog, signer));
    const reordered = { entries: catalog.entries, signature, host: catalog.host, specVersion: catalog.specVersion };
    expect(await verifyCatalogSignature(reordered, URL_OF_CATALOG, resolver)).toBe('verified');
  });

  it('is invalid when any member changed, the payload is attached, or it is not a compact JWS string', async () => {
    const jws = await jwsOver(catalog, signer);
    expect(await verifyCatalogSignature({ ...catalog, specVersion: '1.1', signature: detached(jws) }, URL_OF_CATALOG, resolver)).toBe('invalid');
    expect(await verifyCatalogSignature({ ...catalog, signature: jws }, URL_OF_CATALOG, resolver)).toBe('invalid');
    expect(await verifyCatalogSignature({ ...catalog, signature: { protected: 'x', signature: 'y' } }, URL_OF_CATALOG, resolver)).toBe('invalid');
    expect(await verifyCatalogSignature({ ...catalog, signature: 'a..b..c' }, URL_OF_CATALOG, resolver)).toBe('invalid');
  });

  it('is invalid with a key nobody trusts, and never throws when the keys cannot be fetched', async () => {
    const other = await newSigner('EdDSA', 'publisher-1');
    expect(await verifyCatalogSignature({ ...catalog, signature: detached(await jwsOver(catalog, other)) }, URL_OF_CATALOG, resolver)).toBe('invalid');
    const failing: KeyResolver = { resolve: async () => Promise.reject(new Error('JWKS did not answer')) };
    expect(await verifyCatalogSignature({ ...catalog, signature: detached(await jwsOver(catalog, signer)) }, URL_OF_CATALOG, failing)).toBe('invalid');
  });

  it('refuses algorithms outside the allow-list before looking for a key', async () => {
    let asked = false;
    const spy: KeyResolver = { resolve: async () => ((asked = true), undefined) };
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', kid: 'publisher-1' })).toString('base64url');
    expect(await verifyCatalogSignature({ ...catalog, signature: `${header}..c2ln` }, URL_OF_CATALOG, spy)).toBe('invalid');
    expect(asked).toBe(false);
  });
});
