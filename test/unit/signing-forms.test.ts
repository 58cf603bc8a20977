import { canonicalizeAgentCard, type AgentCard } from '@a2a-js/sdk';
import { describe, expect, it } from 'vitest';
import { exportJWK, FlattenedSign, generateKeyPair } from 'jose';
import { verifyCardSignatures } from '../../src/signatures/card-signature-verifier.js';
import { trustStoreResolver } from '../../src/signatures/key-resolvers.js';
import { pythonJson } from '../../src/signatures/python-json.js';
import { candidatePayloads, uncoveredPaths } from '../../src/signatures/signing-forms.js';
import { cardV03, cardV1 } from '../helpers/cards.js';

type Card = Record<string, unknown>;

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('utf8');
const sdkBytes = (card: Card) => canonicalizeAgentCard(card as unknown as AgentCard);

describe('signing forms', () => {
  const shapes: Record<string, Card> = {
    plain: cardV1(),
    'empty capabilities': cardV1({ capabilities: {} }),
    'defaults everywhere': cardV1({
      capabilities: { streaming: false, extensions: [{ uri: 'urn:x', required: false, description: '', params: {} }] },
      provider: { organization: 'Org', url: 'https://org.example' },
      securitySchemes: {},
      iconUrl: 'https://org.example/icon.png',
    }),
    'oauth scopes': cardV1({
      securitySchemes: { o: { oauth2SecurityScheme: { flows: { clientCredentials: { tokenUrl: 'https://t.example', scopes: { a: 'A' } } } } } },
      securityRequirements: [{ schemes: { o: { list: ['a'] } } }],
    }),
  };

  for (const [name, card] of Object.entries(shapes)) {
    it(`gives the bytes @a2a-js/sdk signs among its candidates, covering the card (${name})`, () => {
      const sdk = candidatePayloads(card).find((candidate) => text(candidate.payload) === sdkBytes(card));
      expect(sdk).toBeDefined();
      expect(sdk?.uncovered).toEqual([]);
    });
  }

  it('puts the specification form first and leaves out forms with the same bytes', () => {
    const card = cardV1();
    const forms = candidatePayloads(card).map((candidate) => candidate.form);
    expect(forms[0]).toBe('a2a-spec');
    expect(new Set(forms.map((form) => text(candidatePayloads(card).find((c) => c.form === form)!.payload))).size).toBe(forms.length);
  });

  it('counts dropped empty fields as covered, and dropped map entries, list entries and param members as not', () => {
    const card = cardV1({ 'x-empty': '', capabilities: {} });
    const { 'x-empty': _empty, capabilities: _capabilities, ...signed } = card;
    expect(uncoveredPaths(card, signed)).toEqual([]);
    const requirement = cardV1({ securityRequirements: [{ schemes: { key: { list: [] } } }] });
    expect(uncoveredPaths(requirement, { ...requirement, securityRequirements: [{ schemes: {} }] })).toEqual(['$.securityRequirements[0].schemes']);
    const params = cardV1({ capabilities: { extensions: [{ uri: 'urn:x', params: { mode: '' } }] } });
    expect(uncoveredPaths(params, { ...params, capabilities: { extensions: [{ uri: 'urn:x', params: {} }] } })).toEqual([
      '$.capabilities.extensions[0].params',
    ]);
  });

  it('counts changed and added content as not covered', () => {
    const card = cardV1();
    expect(uncoveredPaths(card, { ...card, description: 'other' })).toEqual(['$.description']);
    expect(uncoveredPaths(card, { ...card, added: 1 })).toEqual(['$.added']);
  });

  it('never lets the SDK form vouch for a 0.3 card: it drops the card URL', () => {
    const sdk = candidatePayloads(cardV03()).find((candidate) => candidate.form === 'a2a-sdk');
    expect(sdk?.uncovered).toContain('$.url');
  });
});

describe('the Python SDK form', () => {
  it('writes JSON as Python json.dumps(sort_keys=True, compact) does: ASCII escapes, code point order, floats', () => {
    // Expected text printed by CPython 3's json.dumps for the same value (with 1.0 for the whole numbers).
    const value = { b: 1, a: 'Föö \u007f \u0001 \n 😀 \u2028', c: [1e16, 1.5e-7, 0.1, -0, 123456789012345, 1e-5, 0.0001], '\ue000': 1, '😀': 2 };
    expect(pythonJson(value)).toBe(
      '{"a":"F\\u00f6\\u00f6 \\u007f \\u0001 \\n \\ud83d\\ude00 \\u2028","b":1.0,"c":[1e+16,1.5e-07,0.1,-0.0,123456789012345.0,1e-05,0.0001],"\\ue000":1.0,"\\ud83d\\ude00":2.0}',
    );
  });

  it('verifies a card signed over the bytes the Python SDK signs, and records that form', async () => {
    const card = {
      name: 'Météo Agent',
      description: 'Prévisions',
      version: '1.0.0',
      supportedInterfaces: [{ url: 'https://meteo.example.fr/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' }],
      capabilities: { streaming: true, extensions: [{ uri: 'https://example.com/ext/geo', params: { depth: 3, ratio: 0.5 } }] },
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['application/json'],
      skills: [{ id: 'forecast', name: 'Prévision', description: 'Sept jours', tags: ['météo'] }],
    };
    // What CPython's json.dumps wrote for this card's proto form, as the SDK's signer hands it to PyJWT.
    const signedText =
      '{"capabilities":{"extensions":[{"params":{"depth":3.0,"ratio":0.5},"uri":"https://example.com/ext/geo"}],"streaming":true},' +
      '"defaultInputModes":["text/plain"],"defaultOutputModes":["application/json"],"description":"Pr\\u00e9visions",' +
      '"name":"M\\u00e9t\\u00e9o Agent","skills":[{"description":"Sept jours","id":"forecast","name":"Pr\\u00e9vision","tags":["m\\u00e9t\\u00e9o"]}],' +
      '"supportedInterfaces":[{"protocolBinding":"JSONRPC","protocolVersion":"1.0","url":"https://meteo.example.fr/a2a"}],"version":"1.0.0"}';
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const jws = await new FlattenedSign(new TextEncoder().encode(signedText)).setProtectedHeader({ alg: 'ES256', kid: 'py', typ: 'JWT' }).sign(privateKey);
    const signed = { ...card, signatures: [{ protected: jws.protected, signature: jws.signature }] };
    const trusted = trustStoreResolver({ keys: [{ ...(await exportJWK(publicKey)), kid: 'py', alg: 'ES256' }] });
    expect(await verifyCardSignatures(JSON.stringify(signed), trusted)).toMatchObject({ status: 'verified', form: 'a2a-python' });
    const tampered = { ...signed, description: 'Autre chose' };
    expect((await verifyCardSignatures(JSON.stringify(tampered), trusted)).status).toBe('invalid');
  });
});
