import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const privateJwk = (type: 'ec' | 'ed25519' | 'rsa', extra: Record<string, unknown> = { kid: 'k1' }) => {
  const { privateKey } = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ed25519');
  return { ...privateKey.export({ format: 'jwk' }), ...extra };
};

const problemsOf = (value: string): string[] => {
  try {
    loadConfig({ CATALOG_SIGNING_KEY: value });
  } catch (error) {
    return (error as ConfigError).problems;
  }
  return [];
};

describe('CATALOG_SIGNING_KEY', () => {
  it('takes an EC P-256 key as ES256, an Ed25519 key as EdDSA and an RSA key as RS256, and publishes only their public half', () => {
    for (const [type, alg] of [['ec', 'ES256'], ['ed25519', 'EdDSA'], ['rsa', 'RS256']] as const) {
      const key = loadConfig({ CATALOG_SIGNING_KEY: JSON.stringify(privateJwk(type)) }).catalog.signingKey;
      expect(key).toMatchObject({ kid: 'k1', alg, publicJwk: { kid: 'k1', alg, use: 'sig' } });
      expect(key?.publicJwk).not.toHaveProperty('d');
    }
  });

  it('is unset by default: the catalogs are not signed, and pages hold 100 agents', () => {
    expect(loadConfig({}).catalog).toEqual({ pageSize: 100, signingKey: undefined });
  });

  it('stops start-up with one clear message for each kind of bad key', () => {
    const { d: _d, ...publicOnly } = privateJwk('ec');
    const cases: [string, RegExp][] = [
      ['not json', /private JSON Web Key as JSON/],
      ['[1]', /JSON object/],
      [JSON.stringify(privateJwk('ec', {})), /needs a "kid"/],
      [JSON.stringify(publicOnly), /private key \(with "d"\)/],
      [JSON.stringify({ kty: 'oct', k: 'c2VjcmV0', kid: 'k1' }), /EC key on P-256/],
      [JSON.stringify(privateJwk('ec', { kid: 'k1', alg: 'HS256' })), /does not fit its type/],
      [JSON.stringify({ ...privateJwk('ec'), d: 'AAAA' }), /do not belong to its private key/],
      [JSON.stringify({ ...privateJwk('ec'), x: 'AAAA' }), /does not load|do not belong/],
    ];
    for (const [value, message] of cases) {
      const problems = problemsOf(value);
      expect(problems, value).toHaveLength(1);
      expect(problems[0], value).toMatch(/^CATALOG_SIGNING_KEY: /);
      expect(problems[0], value).toMatch(message);
    }
  });

  it('refuses a page size outside 1 to 1000', () => {
    expect(() => loadConfig({ CATALOG_PAGE_SIZE: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ CATALOG_PAGE_SIZE: '1001' })).toThrow(ConfigError);
    expect(loadConfig({ CATALOG_PAGE_SIZE: '1000' }).catalog.pageSize).toBe(1000);
  });
});
