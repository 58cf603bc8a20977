import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createSecretKey } from 'node:crypto';
import {
  base64url,
  CompactSign,
  FlattenedSign,
  type JSONWebKeySet,
  type JWK,
} from 'jose';
import { canonicalJson, signingFormOf } from '../../src/signatures/card-canonical.js';
import {
  firstDuplicateKey,
  MAX_ERROR_MESSAGE_LENGTH,
  verifyCardSignatures,
  type KeyResolver,
} from '../../src/signatures/card-signature-verifier.js';
import { firstOf, originJwksResolver, trustStoreResolver } from '../../src/signatures/key-resolvers.js';
import { flattenedSignature, header, newSigner, signingPayloadOf, type Signer } from '../helpers/signing.js';

type Card = Record<string, unknown>;
const ORIGIN = 'https://agent.example.com';

function baseCard(): Card {
  return {
    name: 'Weather Agent',
    description: 'Forecasts the weather.',
    supportedInterfaces: [{ url: `${ORIGIN}/a2a/v1`, protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
    version: '1.2.0',
    provider: { organization: 'Example Weather Inc.', url: 'https://weather.example.com' },
    capabilities: { streaming: true, extensions: [{ uri: 'https://ext.example.com/geo/v1', required: true }] },
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['application/json'],
    skills: [{ id: 'forecast', name: 'Forecast', description: 'Forecasts for a city — 天気 🌦', tags: ['weather'] }],
  };
}

/** The same with the compact serialisation: keep the first and third parts, drop the payload. */
async function compactSignature(card: Card, signer: Signer) {
  const [protectedHeader, , signature] = (
    await new CompactSign(signingPayloadOf(card)).setProtectedHeader(header(signer)).sign(signer.privateKey)
  ).split('.');
  return { protected: protectedHeader as string, signature: signature as string };
}

function withSignatures(card: Card, signatures: unknown[]): Card {
  return { ...card, signatures };
}

function encodeJson(value: unknown): string {
  return base64url.encode(JSON.stringify(value));
}

/** The same JSON value with every object's members in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([key, member]) => [key, reversedKeys(member)]));
}

let es: Signer;
let ed: Signer;
let stranger: Signer;
let trusted: KeyResolver;

beforeAll(async () => {
  es = await newSigner('ES256', 'es-1');
  ed = await newSigner('EdDSA', 'ed-1');
  stranger = await newSigner('ES256', 'es-1');
  trusted = trustStoreResolver({ keys: [es.publicJwk, ed.publicJwk] });
});

describe('verifyCardSignatures', () => {
  it('verifies a 1.0 card signed with ES256', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [await flattenedSignature(card, es)]);
    expect(await verifyCardSignatures(JSON.stringify(signed), trusted)).toEqual({
      status: 'verified',
      form: 'a2a-spec',
      verifiedKid: 'es-1',
      problems: [],
    });
  });

  it('verifies a 1.0 card signed with EdDSA (compact serialisation, payload detached)', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [await compactSignature(card, ed)]);
    const result = await verifyCardSignatures(JSON.stringify(signed), trusted);
    expect(result).toMatchObject({ status: 'verified', verifiedKid: 'ed-1' });
  });

  it('still verifies when the received text has other whitespace and member order', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [await flattenedSignature(card, es)]);
    const reformatted = JSON.stringify(reversedKeys(signed), null, 3).replaceAll('":', '" :\t');
    expect(reformatted).not.toBe(JSON.stringify(signed));
    expect((await verifyCardSignatures(reformatted, trusted)).status).toBe('verified');
  });

  it('treats a card changed after signing as invalid', async () => {
    const card = baseCard();
    const signature = await flattenedSignature(card, es);
    const tampered = withSignatures({ ...card, description: 'Forecasts the weather, and sells your data.' }, [signature]);
    const result = await verifyCardSignatures(JSON.stringify(tampered), trusted);
    expect(result.status).toBe('invalid');
    expect(result.problems).toEqual(['signatures[0]: signature does not verify with the trusted key']);
  });

  it('treats a field added after signing, even an unknown one, as invalid', async () => {
    const card = baseCard();
    const signature = await flattenedSignature(card, es);
    const extended = withSignatures({ ...card, vendorNote: 'added later' }, [signature]);
    expect((await verifyCardSignatures(JSON.stringify(extended), trusted)).status).toBe('invalid');
  });

  it('lets an empty field added after signing pass, as it says nothing (the SDKs drop such fields when they sign)', async () => {
    const card = baseCard();
    const signature = await flattenedSignature(card, es);
    const extended = withSignatures({ ...card, vendorNote: '' }, [signature]);
    expect(await verifyCardSignatures(JSON.stringify(extended), trusted)).toMatchObject({ status: 'verified', form: 'a2a-sdk' });
  });

  it('treats a signature by an untrusted key as invalid, even with a trusted kid', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [await flattenedSignature(card, stranger)]);
    expect(await verifyCardSignatures(JSON.stringify(signed), trusted)).toMatchObject({ status: 'invalid' });

    const unknownKid = withSignatures(card, [await flattenedSignature(card, { ...stranger, kid: 'who-knows' })]);
    const result = await verifyCardSignatures(JSON.stringify(unknownKid), trusted);
    expect(result).toEqual({ status: 'invalid', error: { code: 'no_trusted_key', message: 'signatures[0]: no trusted key "who-knows"' }, problems: ['signatures[0]: no trusted key "who-knows"'] });
  });

  it('refuses alg none', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [{ protected: encodeJson({ alg: 'none', kid: 'es-1' }), signature: '' }]);
    const result = await verifyCardSignatures(JSON.stringify(signed), trusted, { algorithms: ['none', 'ES256'] });
    expect(result).toEqual({ status: 'invalid', error: { code: 'unsupported_alg', message: 'signatures[0]: algorithm "none" is not allowed' }, problems: ['signatures[0]: algorithm "none" is not allowed'] });
  });

  it('refuses HMAC even when listed and when a resolver would hand out the secret', async () => {
    const secret = new Uint8Array(32).fill(7);
    const card = baseCard();
    const jws = await new FlattenedSign(signingPayloadOf(card))
      .setProtectedHeader({ alg: 'HS256', kid: 'shared' })
      .sign(secret);
    const signed = withSignatures(card, [{ protected: jws.protected, signature: jws.signature }]);
    const leaky: KeyResolver = { resolve: vi.fn(async () => createSecretKey(secret)) };
    const result = await verifyCardSignatures(JSON.stringify(signed), leaky, { algorithms: ['HS256', 'ES256'] });
    expect(result).toEqual({ status: 'invalid', error: { code: 'unsupported_alg', message: 'signatures[0]: algorithm "HS256" is not allowed' }, problems: ['signatures[0]: algorithm "HS256" is not allowed'] });
    expect(leaky.resolve).not.toHaveBeenCalled();
  });

  it('refuses an algorithm outside the allow-list', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [await flattenedSignature(card, ed)]);
    const result = await verifyCardSignatures(JSON.stringify(signed), trusted, { algorithms: ['ES256'] });
    expect(result.problems).toEqual(['signatures[0]: algorithm "EdDSA" is not allowed']);
  });

  it('verifies when any one of several signatures verifies, and reports the others', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [
      await flattenedSignature(card, stranger),
      { protected: 'not base64!', signature: 'x' },
      await flattenedSignature(card, ed),
    ]);
    const result = await verifyCardSignatures(JSON.stringify(signed), trusted);
    expect(result.status).toBe('verified');
    expect(result.verifiedKid).toBe('ed-1');
    expect(result.problems).toHaveLength(2);
  });

  it('says unsigned for a card without signatures, or with an empty or null list', async () => {
    for (const card of [baseCard(), withSignatures(baseCard(), []), { ...baseCard(), signatures: null }]) {
      expect(await verifyCardSignatures(JSON.stringify(card), trusted)).toEqual({ status: 'unsigned', problems: [] });
    }
  });

  it('treats malformed input as invalid without throwing', async () => {
    const card = baseCard();
    const good = await flattenedSignature(card, es);
    const cases: Array<[string, string]> = [
      [JSON.stringify(withSignatures(card, [{ ...good, protected: '***' }])), 'protected header is not base64url'],
      [JSON.stringify(withSignatures(card, [{ ...good, protected: base64url.encode('not json') }])), 'protected header is not JSON'],
      [JSON.stringify(withSignatures(card, [{ ...good, protected: encodeJson(['ES256']) }])), 'not a JSON object'],
      [JSON.stringify(withSignatures(card, [{ ...good, protected: encodeJson({ kid: 'es-1' }) }])), 'has no "alg"'],
      [JSON.stringify(withSignatures(card, [{ ...good, protected: encodeJson({ alg: 'ES256', kid: 7 }) }])), '"kid" is not a string'],
      [JSON.stringify(withSignatures(card, [{ ...good, protected: encodeJson({ alg: 'ES256', typ: 'x' }) }])), '"typ"'],
      [JSON.stringify(withSignatures(card, [{ ...good, signature: 'a+b/c=' }])), 'signature is not base64url'],
      [JSON.stringify(withSignatures(card, [{ protected: good.protected }])), 'no "signature" string'],
      [JSON.stringify(withSignatures(card, [{ signature: good.signature }])), 'no "protected" string'],
      [JSON.stringify(withSignatures(card, [{ ...good, header: 'kid' }])), '"header" is not an object'],
      [JSON.stringify(withSignatures(card, [{ ...good, header: { kid: 'es-1' } }])), 'must be disjoint'],
      [JSON.stringify(withSignatures(card, [42])), 'entry is not an object'],
      [JSON.stringify(withSignatures(card, [{ ...good, protected: '' }])), 'protected header is empty'],
      [JSON.stringify({ ...card, signatures: 'yes' }), '"signatures" is not an array'],
      ['{"name": "x", "signatures": [', 'card is not valid JSON'],
      ['[1, 2]', 'card is not a JSON object'],
      ['', 'card is not valid JSON'],
      [JSON.stringify(withSignatures({ ...card, note: 'lone \ud800 surrogate' }, [good])), 'no canonical form'],
      [JSON.stringify(withSignatures(card, [good])).replace('{', '{"name":"Other Agent",'), 'repeats the member "name"'],
    ];
    for (const [text, problem] of cases) {
      const result = await verifyCardSignatures(text, trusted);
      expect(result.status, problem).toBe('invalid');
      expect(result.problems.join(' | '), problem).toContain(problem);
    }
  });

  it('reports a resolver that throws as a problem instead of throwing', async () => {
    const card = baseCard();
    const signed = withSignatures(card, [await flattenedSignature(card, es)]);
    const broken: KeyResolver = { resolve: async () => Promise.reject(new Error('store offline')) };
    const result = await verifyCardSignatures(JSON.stringify(signed), broken);
    expect(result).toEqual({ status: 'invalid', error: { code: 'key_lookup_failed', message: 'signatures[0]: key lookup failed: store offline' }, problems: ['signatures[0]: key lookup failed: store offline'] });
  });

  it('checks only a bounded number of signatures', async () => {
    const card = baseCard();
    const bad = await flattenedSignature(card, stranger);
    const signed = withSignatures(card, [bad, bad, bad, await flattenedSignature(card, es)]);
    const result = await verifyCardSignatures(JSON.stringify(signed), trusted, { maxSignatures: 3 });
    expect(result.status).toBe('invalid');
    expect(result.problems.at(-1)).toBe('only the first 3 of 4 signatures were checked');
  });
});

describe('default stripping (spec section 8.4.1)', () => {
  /** The base card spelled out with default values of non-required fields. */
  function cardWithDefaults(): Card {
    const card = baseCard();
    return {
      ...card,
      supportedInterfaces: [{ ...(card.supportedInterfaces as Card[])[0], tenant: '' }],
      capabilities: {
        streaming: true,
        extensions: [{ uri: 'https://ext.example.com/geo/v1', required: true, description: '', params: {} }, {
          uri: 'https://ext.example.com/other/v1',
          required: false,
        }],
      },
      skills: [{ ...(card.skills as Card[])[0], examples: [], inputModes: [], securityRequirements: [] }],
      securitySchemes: {},
      securityRequirements: [],
    };
  }

  /** The same card as a signer that leaves defaults out would send it. */
  function cardWithoutDefaults(): Card {
    const card = cardWithDefaults();
    return {
      ...baseCard(),
      capabilities: {
        streaming: true,
        extensions: [{ uri: 'https://ext.example.com/geo/v1', required: true }, { uri: 'https://ext.example.com/other/v1' }],
      },
      skills: [{ ...(card.skills as Card[])[0], examples: undefined, inputModes: undefined, securityRequirements: undefined }],
    };
  }

  it('gives a card with default values the payload of the card without them', () => {
    expect(Buffer.from(signingPayloadOf(cardWithDefaults())).toString()).toBe(
      Buffer.from(signingPayloadOf(cardWithoutDefaults())).toString(),
    );
  });

  it('verifies a card sent with defaults against a signature made without them', async () => {
    const signature = await flattenedSignature(cardWithoutDefaults(), es);
    const received = withSignatures(cardWithDefaults(), [signature]);
    expect((await verifyCardSignatures(JSON.stringify(received), trusted)).status).toBe('verified');
  });

  it('reproduces the spec example: keeps required empty fields and explicitly set optional booleans', () => {
    const fragment = {
      name: 'Example Agent',
      description: '',
      capabilities: { streaming: false, pushNotifications: false, extensions: [] },
      skills: [],
      supportedInterfaces: [],
    };
    const { supportedInterfaces: _, ...expected } = signingFormOf(fragment);
    expect(canonicalJson(expected)).toBe(
      '{"capabilities":{"pushNotifications":false,"streaming":false},"description":"","name":"Example Agent","skills":[]}',
    );
  });

  it('keeps capability flags set to false: the card is not the same as one without them', async () => {
    const card = baseCard();
    const signature = await flattenedSignature(card, es);
    const withFlag = withSignatures({ ...card, capabilities: { ...(card.capabilities as Card), pushNotifications: false } }, [
      signature,
    ]);
    expect((await verifyCardSignatures(JSON.stringify(withFlag), trusted)).status).toBe('invalid');
  });

  it('keeps map entries, oneof members and free-form params as they are', () => {
    const form = signingFormOf({
      ...baseCard(),
      securitySchemes: { mtls: { mtlsSecurityScheme: { description: '' } } },
      securityRequirements: [{ schemes: { mtls: { list: [] } } }],
      capabilities: { extensions: [{ uri: 'u', params: { flag: false, note: '', list: [] } }] },
    });
    expect(form.securitySchemes).toEqual({ mtls: { mtlsSecurityScheme: {} } });
    expect(form.securityRequirements).toEqual([{ schemes: { mtls: {} } }]);
    expect(form.capabilities).toEqual({ extensions: [{ uri: 'u', params: { flag: false, note: '', list: [] } }] });
  });

  it('drops signatures and null optional fields, keeps unknown fields verbatim, and leaves the input alone', () => {
    const card = { ...baseCard(), iconUrl: null, vendorFlag: false, signatures: [{ protected: 'a', signature: 'b' }] };
    const snapshot = structuredClone(card);
    const form = signingFormOf(card);
    expect(form).not.toHaveProperty('signatures');
    expect(form).not.toHaveProperty('iconUrl');
    expect(form.vendorFlag).toBe(false);
    expect(card).toEqual(snapshot);
  });

  it('keeps a member named __proto__ as an ordinary member', () => {
    const card = JSON.parse('{"name":"A","supportedInterfaces":[],"__proto__":{"x":1}}') as Card;
    expect(canonicalJson(signingFormOf(card))).toBe('{"__proto__":{"x":1},"name":"A","supportedInterfaces":[]}');
  });

  it('uses the 0.3 field table for cards without supportedInterfaces', () => {
    const form = signingFormOf({
      name: 'Old',
      description: '',
      url: 'https://old.example.com/a2a',
      protocolVersion: '0.3.0',
      version: '1',
      capabilities: { streaming: false, stateTransitionHistory: false },
      defaultInputModes: [],
      defaultOutputModes: [],
      skills: [],
      additionalInterfaces: [],
      preferredTransport: '',
    });
    expect(canonicalJson(form)).toBe(
      '{"capabilities":{"stateTransitionHistory":false,"streaming":false},"defaultInputModes":[],"defaultOutputModes":[],' +
        '"description":"","name":"Old","protocolVersion":"0.3.0","skills":[],"url":"https://old.example.com/a2a","version":"1"}',
    );
  });
});

describe('key resolvers', () => {
  it('trusts a key until the exp of its JWK, then says it expired', async () => {
    const card = baseCard();
    const signed = JSON.stringify(withSignatures(card, [await flattenedSignature(card, es)]));
    let now = Date.parse('2030-01-01T00:00:00Z');
    const store = trustStoreResolver({ keys: [{ ...es.publicJwk, exp: Date.parse('2030-01-02T00:00:00Z') / 1000 } as JWK] }, () => now);
    expect((await verifyCardSignatures(signed, store)).status).toBe('verified');
    now = Date.parse('2030-01-03T00:00:00Z');
    expect(await verifyCardSignatures(signed, store)).toMatchObject({
      status: 'invalid',
      error: { code: 'expired_key', message: 'signatures[0]: key "es-1" expired at 2030-01-02T00:00:00.000Z' },
    });
  });

  function fetcherFor(jwksByUrl: Record<string, JSONWebKeySet>) {
    return vi.fn(async (_origin: string, url: string) => jwksByUrl[url]);
  }

  it('uses the JWKS of the card origin and ignores a foreign jku', async () => {
    const card = baseCard();
    const signature = await flattenedSignature(card, es, { jku: 'https://evil.example/jwks.json' });
    const fetchJwks = fetcherFor({ [`${ORIGIN}/.well-known/jwks.json`]: { keys: [es.publicJwk] } });
    const resolver = originJwksResolver(fetchJwks);
    const result = await verifyCardSignatures(JSON.stringify(withSignatures(card, [signature])), resolver);
    expect(result).toMatchObject({ status: 'verified', verifiedKid: 'es-1' });
    expect(fetchJwks).toHaveBeenCalledTimes(1);
    expect(fetchJwks).toHaveBeenCalledWith(ORIGIN, `${ORIGIN}/.well-known/jwks.json`);
    for (const [origin, url] of fetchJwks.mock.calls) {
      expect(origin).toBe(ORIGIN);
      expect(new URL(url).origin).toBe(ORIGIN);
    }
  });

  it('follows a jku on the card origin, and caches each JWKS', async () => {
    const card = baseCard();
    const jku = `${ORIGIN}/keys/agent-jwks.json`;
    const signature = await flattenedSignature(card, es, { jku });
    const fetchJwks = fetcherFor({ [jku]: { keys: [es.publicJwk] } });
    const resolver = originJwksResolver(fetchJwks);
    const text = JSON.stringify(withSignatures(card, [signature]));
    expect((await verifyCardSignatures(text, resolver)).status).toBe('verified');
    expect((await verifyCardSignatures(text, resolver)).status).toBe('verified');
    expect(fetchJwks.mock.calls).toEqual([[ORIGIN, jku]]);
  });

  it('does not trust keys published by another origin', async () => {
    const card = baseCard();
    const signature = await flattenedSignature(card, es);
    const fetchJwks = fetcherFor({ 'https://evil.example/.well-known/jwks.json': { keys: [es.publicJwk] } });
    const result = await verifyCardSignatures(JSON.stringify(withSignatures(card, [signature])), originJwksResolver(fetchJwks));
    expect(result).toEqual({ status: 'invalid', error: { code: 'no_trusted_key', message: 'signatures[0]: no trusted key "es-1"' }, problems: ['signatures[0]: no trusted key "es-1"'] });
    expect(fetchJwks.mock.calls.every(([origin]) => origin === ORIGIN)).toBe(true);
  });

  it('fetches a JWKS again after its time to live, and early when a key is missing', async () => {
    let now = 0;
    const card = baseCard();
    const text = JSON.stringify(withSignatures(card, [await flattenedSignature(card, ed)]));
    const published: JSONWebKeySet = { keys: [es.publicJwk] };
    const fetchJwks = vi.fn(async () => structuredClone(published));
    const resolver = originJwksResolver(fetchJwks, { ttlMs: 300_000, refetchOnMissAfterMs: 30_000, now: () => now });
    expect((await verifyCardSignatures(text, resolver)).status).toBe('invalid');
    published.keys.push(ed.publicJwk);
    now = 10_000;
    expect((await verifyCardSignatures(text, resolver)).status).toBe('invalid');
    now = 40_000;
    expect((await verifyCardSignatures(text, resolver)).status).toBe('verified');
    expect(fetchJwks).toHaveBeenCalledTimes(2);
    now = 400_000;
    expect((await verifyCardSignatures(text, resolver)).status).toBe('verified');
    expect(fetchJwks).toHaveBeenCalledTimes(3);
  });

  it('gives a card without an http(s) origin no origin keys', async () => {
    const card = { ...baseCard(), supportedInterfaces: [{ url: 'urn:x', protocolBinding: 'GRPC', protocolVersion: '1.0' }] };
    const fetchJwks = vi.fn(async () => ({ keys: [es.publicJwk] }));
    const text = JSON.stringify(withSignatures(card, [await flattenedSignature(card, es)]));
    expect((await verifyCardSignatures(text, originJwksResolver(fetchJwks))).status).toBe('invalid');
    expect(fetchJwks).not.toHaveBeenCalled();
  });

  it('firstOf falls through to the next resolver', async () => {
    const card = baseCard();
    const text = JSON.stringify(withSignatures(card, [await flattenedSignature(card, ed)]));
    const storeWithoutEd = trustStoreResolver({ keys: [es.publicJwk] });
    const throwing: KeyResolver = { resolve: async () => Promise.reject(new Error('boom')) };
    const origin = originJwksResolver(async () => ({ keys: [ed.publicJwk] }));
    expect((await verifyCardSignatures(text, firstOf(storeWithoutEd, throwing, origin))).status).toBe('verified');
    expect((await verifyCardSignatures(text, firstOf(storeWithoutEd, throwing))).problems).toEqual([
      'signatures[0]: key lookup failed: boom',
    ]);
  });

  it('tries every key when the JWKS has several candidates for a signature without kid', async () => {
    const card = baseCard();
    const jws = await new FlattenedSign(signingPayloadOf(card)).setProtectedHeader({ alg: 'ES256' }).sign(es.privateKey);
    const text = JSON.stringify(withSignatures(card, [{ protected: jws.protected, signature: jws.signature }]));
    const store = trustStoreResolver({ keys: [stranger.publicJwk, es.publicJwk] });
    expect(await verifyCardSignatures(text, store)).toEqual({ status: 'verified', form: 'a2a-spec', problems: [] });
  });
});

describe('RFC 8785 canonicalisation', () => {
  it('matches the example of RFC 8785 section 3.2.2', () => {
    const input = String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it('sorts members by UTF-16 code units (RFC 8785 section 3.2.3)', () => {
    const input = String.raw`{"\u20ac":"Euro Sign","\r":"Carriage Return","\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",` +
      String.raw`"\ud83d\ude00":"Emoji: Grinning Face","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis"}`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"\r":"Carriage Return","1":"One",` +
        '"\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign",' +
        '"😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('formats numbers as the IEEE 754 vectors of RFC 8785 appendix B', () => {
    const vectors: Array<[string, string]> = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af6', '1e+23'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, expected] of vectors) {
      expect(canonicalJson(Buffer.from(bits, 'hex').readDoubleBE(0)), bits).toBe(expected);
    }
  });

  it('encodes the payload as UTF-8 and refuses values that are not I-JSON', () => {
    expect(Buffer.from(signingPayloadOf({ name: 'é' })).toString('hex')).toBe('7b226e616d65223a22c3a9227d');
    expect(() => canonicalJson(Number.NaN)).toThrow('no JSON form');
    expect(() => canonicalJson('\udc00')).toThrow('lone surrogate');
    let deep: unknown = 1;
    for (let depth = 0; depth < 200; depth++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow('nested deeper');
  });
});

describe('firstDuplicateKey', () => {
  it('finds a member repeated in one object, however it is escaped, and only there', () => {
    expect(firstDuplicateKey('{"a":1,"b":{"a":2},"c":["a","a"]}')).toBeUndefined();
    expect(firstDuplicateKey('{"a":1,"b":{"x":"a","x":2}}')).toBe('x');
    expect(firstDuplicateKey(String.raw`{"name":"x","n\u0061me":"y"}`)).toBe('name');
    expect(firstDuplicateKey(String.raw`{"k":"a\"b","v":"\\","k2":{}}`)).toBeUndefined();
  });
});

describe('signature errors on records', () => {
  it('keeps the message short however many signatures failed', async () => {
    const card = baseCard();
    const entries = Array.from({ length: 8 }, (_, index) => ({ protected: encodeJson({ alg: 'ES256', kid: `k${index}`.repeat(30) }), signature: 'AAAA' }));
    const result = await verifyCardSignatures(JSON.stringify(withSignatures(card, entries)), trusted);
    expect(result.problems).toHaveLength(8);
    expect(result.error?.code).toBe('no_trusted_key');
    expect(result.error?.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_LENGTH);
  });
});
