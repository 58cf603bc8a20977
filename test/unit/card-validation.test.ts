import { describe, expect, it } from 'vitest';
import { detectCardFormat } from '../../src/card/card-schemas.js';
import { validateCard } from '../../src/card/card-validation.js';
import { jsonPath } from '../../src/validation.js';
import { ValidationError, type FieldViolation } from '../../src/errors.js';
import { cardV03, cardV1, legacyCard } from '../helpers/cards.js';

/** The ValidationError validateCard throws for `card`; fails the test when it accepts the card. */
function rejectionOf(card: unknown, root?: string): ValidationError {
  try {
    validateCard(card, root);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected the card to be rejected');
}

const violationsOf = (card: unknown): FieldViolation[] => rejectionOf(card).violations;

const SECURITY_SCHEME_MESSAGE =
  'must have exactly one of apiKeySecurityScheme, httpAuthSecurityScheme, oauth2SecurityScheme, openIdConnectSecurityScheme, mtlsSecurityScheme';

describe('detectCardFormat', () => {
  it('recognises a card with supportedInterfaces as A2A 1.0', () => {
    expect(detectCardFormat(cardV1())).toBe('a2a-1.0');
  });

  it('recognises a camelCase card with url and protocolVersion as A2A 0.3', () => {
    expect(detectCardFormat(cardV03())).toBe('a2a-0.3');
  });

  it('recognises a snake_case card as the legacy form', () => {
    expect(detectCardFormat(legacyCard())).toBe('legacy');
  });

  it('treats a card that carries both shapes by its top-level protocolVersion: 0.x is A2A 0.3, anything else 1.0', () => {
    // SDK servers with 0.3 compatibility answer clients that ask for no version a 0.3 card with the 1.0 interfaces embedded.
    expect(detectCardFormat(cardV1({ url: 'https://weather.example.com/old', protocolVersion: '0.3.0' }))).toBe('a2a-0.3');
    expect(detectCardFormat(cardV1({ url: 'https://weather.example.com/old', protocolVersion: '1.0' }))).toBe('a2a-1.0');
  });

  it('treats a card with protocolVersion as 0.3 even when it also has snake_case keys', () => {
    expect(detectCardFormat(cardV03({ default_input_modes: ['text/plain'] }))).toBe('a2a-0.3');
  });
});

describe('validateCard on an A2A 1.0 card', () => {
  it('normalises every indexed field of the card', () => {
    expect(validateCard(cardV1())).toEqual({
      format: 'a2a-1.0',
      name: 'Weather Agent',
      description: 'Provides weather forecasts and alerts for any city',
      version: '1.2.0',
      protocolVersions: ['1.0'],
      interfaces: [{ url: 'https://weather.example.com/a2a', binding: 'JSONRPC', protocolVersion: '1.0' }],
      provider: { organization: 'Example Weather Co', url: 'https://example.com' },
      skills: [
        {
          id: 'forecast',
          name: 'Weather forecast',
          description: 'Seven day forecast for a city',
          tags: ['weather', 'Forecast'],
          inputModes: [],
          outputModes: ['image/png'],
        },
      ],
      defaultInputModes: ['text/plain'],
      defaultOutputModes: ['application/json'],
      capabilities: {
        streaming: true,
        pushNotifications: false,
        extendedAgentCard: false,
        extensions: ['https://example.com/ext/geo'],
        requiredExtensions: [],
      },
      securitySchemes: [],
      signed: false,
    });
  });

  it('keeps every interface with its own binding and lists each protocol version once', () => {
    const summary = validateCard(
      cardV1({
        supportedInterfaces: [
          { url: 'https://weather.example.com/a2a', protocolBinding: 'JSONRPC', protocolVersion: '1.0' },
          { url: 'https://weather.example.com/grpc', protocolBinding: 'GRPC', protocolVersion: '1.0' },
          { url: 'https://weather.example.com/v03', protocolBinding: 'HTTP+JSON', protocolVersion: '0.3.0' },
        ],
      }),
    );
    expect(summary.interfaces).toEqual([
      { url: 'https://weather.example.com/a2a', binding: 'JSONRPC', protocolVersion: '1.0' },
      { url: 'https://weather.example.com/grpc', binding: 'GRPC', protocolVersion: '1.0' },
      { url: 'https://weather.example.com/v03', binding: 'HTTP+JSON', protocolVersion: '0.3.0' },
    ]);
    expect(summary.protocolVersions).toEqual(['1.0', '0.3.0']);
  });

  it('lists each extension URI once and reads extendedAgentCard from capabilities', () => {
    const summary = validateCard(
      cardV1({
        capabilities: {
          extendedAgentCard: true,
          extensions: [{ uri: 'https://example.com/ext/a' }, { uri: 'https://example.com/ext/b', required: true }, { uri: 'https://example.com/ext/a' }],
        },
      }),
    );
    expect(summary.capabilities).toEqual({
      streaming: false,
      pushNotifications: false,
      extendedAgentCard: true,
      extensions: ['https://example.com/ext/a', 'https://example.com/ext/b'],
      requiredExtensions: ['https://example.com/ext/b'],
    });
  });

  it('lists the names of the security schemes and marks a card with signatures as signed', () => {
    const summary = validateCard(
      cardV1({
        securitySchemes: {
          bearer: { httpAuthSecurityScheme: { scheme: 'Bearer' } },
          key: { apiKeySecurityScheme: { location: 'header', name: 'X-Key' } },
        },
        signatures: [{ protected: 'eyJhbGciOiJFUzI1NiJ9', signature: 'c2lnbmF0dXJl' }],
      }),
    );
    expect(summary.securitySchemes).toEqual(['bearer', 'key']);
    expect(summary.signed).toBe(true);
  });

  it('keeps documentationUrl and iconUrl when the card has them', () => {
    const summary = validateCard(cardV1({ documentationUrl: 'https://docs.example.com', iconUrl: 'https://example.com/icon.png' }));
    expect(summary.documentationUrl).toBe('https://docs.example.com');
    expect(summary.iconUrl).toBe('https://example.com/icon.png');
  });

  it('accepts fields the schema does not know', () => {
    const summary = validateCard(
      cardV1({ futureField: { nested: [1, 2, 3] }, skills: [{ id: 's', name: 'S', description: 'd', tags: ['t'], rating: 5 }] }),
    );
    expect(summary.format).toBe('a2a-1.0');
    expect(summary.skills.map((s) => s.id)).toEqual(['s']);
  });

  it('validates a card carrying both shapes by the rules of the version it declares', () => {
    const both = cardV1({ url: 'https://weather.example.com/old', protocolVersion: '0.3.0' });
    expect(validateCard(both).format).toBe('a2a-0.3');

    const invalid = cardV1({ url: 'https://weather.example.com/old', protocolVersion: '0.3.0', version: 5 });
    const error = rejectionOf(invalid);
    expect(error.message).toContain('a2a-0.3');
    expect(error.violations.map((violation) => violation.path)).toEqual(['$.version']);
  });
});

describe('validateCard on an A2A 0.3 card', () => {
  it('normalises every indexed field of the card', () => {
    expect(validateCard(cardV03())).toEqual({
      format: 'a2a-0.3',
      name: 'Translator',
      description: 'Translates documents between languages',
      version: '0.9.0',
      protocolVersions: ['0.3.0'],
      interfaces: [
        { url: 'https://translate.example.com/a2a', binding: 'JSONRPC', protocolVersion: '0.3.0' },
        { url: 'https://translate.example.com/grpc', binding: 'GRPC', protocolVersion: '0.3.0' },
      ],
      skills: [
        {
          id: 'translate',
          name: 'Translate text',
          description: 'Translate between 40 languages',
          tags: ['language', 'translation'],
          inputModes: [],
          outputModes: [],
        },
      ],
      defaultInputModes: ['text/plain', 'application/pdf'],
      defaultOutputModes: ['text/plain'],
      capabilities: { streaming: false, pushNotifications: true, extendedAgentCard: false, extensions: [], requiredExtensions: [] },
      securitySchemes: [],
      signed: false,
    });
  });

  it('uses JSONRPC as the main binding when preferredTransport is absent', () => {
    const card = cardV03();
    delete card.preferredTransport;
    delete card.additionalInterfaces;
    expect(validateCard(card).interfaces).toEqual([
      { url: 'https://translate.example.com/a2a', binding: 'JSONRPC', protocolVersion: '0.3.0' },
    ]);
  });

  it('drops an additional interface that repeats the main url and transport', () => {
    const summary = validateCard(
      cardV03({
        preferredTransport: 'HTTP+JSON',
        additionalInterfaces: [
          { url: 'https://translate.example.com/a2a', transport: 'HTTP+JSON' },
          { url: 'https://translate.example.com/a2a', transport: 'JSONRPC' },
        ],
      }),
    );
    expect(summary.interfaces).toEqual([
      { url: 'https://translate.example.com/a2a', binding: 'HTTP+JSON', protocolVersion: '0.3.0' },
      { url: 'https://translate.example.com/a2a', binding: 'JSONRPC', protocolVersion: '0.3.0' },
    ]);
  });

  it('reads extendedAgentCard from supportsAuthenticatedExtendedCard and keeps extension URIs and provider', () => {
    const summary = validateCard(
      cardV03({
        supportsAuthenticatedExtendedCard: true,
        capabilities: { streaming: true, extensions: [{ uri: 'urn:example:ext' }] },
        provider: { organization: 'Lingua Ltd' },
      }),
    );
    expect(summary.capabilities).toEqual({
      streaming: true,
      pushNotifications: false,
      extendedAgentCard: true,
      extensions: ['urn:example:ext'],
      requiredExtensions: [],
    });
    expect(summary.provider).toEqual({ organization: 'Lingua Ltd' });
  });

  it('accepts empty skills and modes, which 0.3 does not forbid', () => {
    const summary = validateCard(cardV03({ skills: [], defaultInputModes: [], defaultOutputModes: [] }));
    expect(summary.skills).toEqual([]);
    expect(summary.defaultInputModes).toEqual([]);
  });
});

describe('validateCard on a legacy snake_case card', () => {
  it('normalises the card, filling the fields it lacks', () => {
    expect(validateCard(legacyCard())).toEqual({
      format: 'legacy',
      name: 'legacy-agent',
      description: 'An agent registered by a client of the earlier Python registry',
      version: '0.1.0',
      protocolVersions: ['0.3.0'],
      interfaces: [{ url: 'http://legacy.example.com:3000', binding: 'JSONRPC', protocolVersion: '0.3.0' }],
      skills: [{ id: 'summarize', name: 'summarize', description: 'Summarise text', tags: [], inputModes: [], outputModes: [] }],
      defaultInputModes: [],
      defaultOutputModes: [],
      capabilities: { streaming: false, pushNotifications: false, extendedAgentCard: false, extensions: [], requiredExtensions: [] },
      securitySchemes: [],
      signed: false,
    });
  });

  it('takes the main binding from preferred_transport and adds additional_interfaces', () => {
    const summary = validateCard(
      legacyCard({
        preferred_transport: 'GRPC',
        additional_interfaces: [{ url: 'http://legacy.example.com:3001', transport: 'HTTP+JSON' }],
      }),
    );
    expect(summary.interfaces).toEqual([
      { url: 'http://legacy.example.com:3000', binding: 'GRPC', protocolVersion: '0.3.0' },
      { url: 'http://legacy.example.com:3001', binding: 'HTTP+JSON', protocolVersion: '0.3.0' },
    ]);
  });

  it('reads snake_case modes, skills, capabilities, provider and documentation_url', () => {
    const summary = validateCard(
      legacyCard({
        default_input_modes: ['text/plain'],
        default_output_modes: ['text/markdown'],
        skills: [{ id: 'summarize', name: 'Summarise', tags: ['nlp'], input_modes: ['application/pdf'], output_modes: ['text/plain'] }],
        capabilities: { streaming: true, push_notifications: true, extensions: [{ uri: 'https://example.com/ext/legacy' }] },
        provider: { organization: 'Old Co', url: 'https://old.example.com' },
        documentation_url: 'https://old.example.com/docs',
      }),
    );
    expect(summary.defaultInputModes).toEqual(['text/plain']);
    expect(summary.defaultOutputModes).toEqual(['text/markdown']);
    expect(summary.skills).toEqual([
      { id: 'summarize', name: 'Summarise', description: '', tags: ['nlp'], inputModes: ['application/pdf'], outputModes: ['text/plain'] },
    ]);
    expect(summary.capabilities).toEqual({
      streaming: true,
      pushNotifications: true,
      extendedAgentCard: false,
      extensions: ['https://example.com/ext/legacy'],
      requiredExtensions: [],
    });
    expect(summary.provider).toEqual({ organization: 'Old Co', url: 'https://old.example.com' });
    expect(summary.documentationUrl).toBe('https://old.example.com/docs');
  });
});

describe('validateCard rejections', () => {
  it('lists every violation of a card with several problems, each with its JSON path', () => {
    const card = cardV1({
      supportedInterfaces: [{ url: 'not a url', protocolBinding: 'JSONRPC' }],
      defaultInputModes: [],
      skills: [
        { id: 'ok', name: 'Fine', description: 'A valid skill', tags: ['fine'] },
        { name: 'No id', description: 'Lacks its id', tags: [] },
      ],
      provider: { url: 'https://example.com' },
    });
    delete card.version;

    const error = rejectionOf(card);
    expect(error.code).toBe('invalid_agent_card');
    expect(error.status).toBe(400);
    expect(error.violations).toHaveLength(7);
    expect(error.violations).toEqual(
      expect.arrayContaining([
        { path: '$.version', message: 'is required' },
        { path: '$.supportedInterfaces[0].url', message: 'must be an absolute URL' },
        { path: '$.supportedInterfaces[0].protocolVersion', message: 'is required' },
        { path: '$.defaultInputModes', message: 'must not be empty' },
        { path: '$.skills[1].id', message: 'is required' },
        { path: '$.skills[1].tags', message: 'must not be empty' },
        { path: '$.provider.organization', message: 'is required' },
      ]),
    );
  });

  it('says `is required` for a missing skill id at $.skills[0].id', () => {
    expect(violationsOf(cardV1({ skills: [{ name: 'n', description: 'd', tags: ['t'] }] }))).toEqual([
      { path: '$.skills[0].id', message: 'is required' },
    ]);
  });

  it('reports paths under the root it is given', () => {
    const error = rejectionOf(cardV1({ skills: [{ name: 'n', description: 'd', tags: ['t'] }] }), '$.agent_card');
    expect(error.violations).toEqual([{ path: '$.agent_card.skills[0].id', message: 'is required' }]);
  });

  it('reports a value of the wrong type with a message other than `is required`', () => {
    const violations = violationsOf(cardV03({ name: 42 }));
    expect(violations).toHaveLength(1);
    expect(violations[0]?.path).toBe('$.name');
    expect(violations[0]?.message).not.toBe('is required');
  });

  it.each([
    ['skills', { skills: [] }, '$.skills'],
    ['defaultInputModes', { defaultInputModes: [] }, '$.defaultInputModes'],
    ['defaultOutputModes', { defaultOutputModes: [] }, '$.defaultOutputModes'],
    ['supportedInterfaces', { supportedInterfaces: [] }, '$.supportedInterfaces'],
    ['skill tags', { skills: [{ id: 's', name: 'S', description: 'd', tags: [] }] }, '$.skills[0].tags'],
  ])('rejects empty %s in a 1.0 card', (_name, overrides, path) => {
    expect(violationsOf(cardV1(overrides))).toEqual([{ path, message: 'must not be empty' }]);
  });

  it('rejects a 1.0 security scheme with no wrapper key', () => {
    expect(violationsOf(cardV1({ securitySchemes: { bare: { type: 'apiKey', name: 'X-Key' } } }))).toEqual([
      { path: '$.securitySchemes.bare', message: SECURITY_SCHEME_MESSAGE },
    ]);
  });

  it('rejects a 1.0 security scheme with two wrapper keys, quoting a name that is not an identifier', () => {
    const schemes = { 'api-key': { apiKeySecurityScheme: {}, httpAuthSecurityScheme: {} } };
    expect(violationsOf(cardV1({ securitySchemes: schemes }))).toEqual([
      { path: '$.securitySchemes["api-key"]', message: SECURITY_SCHEME_MESSAGE },
    ]);
  });

  it.each([
    ['an array', []],
    ['a string', 'card'],
    ['null', null],
    ['a number', 7],
  ])('rejects %s as a card', (_name, card) => {
    const error = rejectionOf(card);
    expect(error.violations).toEqual([{ path: '$', message: 'must be an object' }]);
  });

  it('rejects a legacy card without its url', () => {
    const card = legacyCard();
    delete card.url;
    const violations = violationsOf(card);
    expect(violations).toEqual([{ path: '$.url', message: 'is required' }]);
  });
});

describe('jsonPath', () => {
  it('renders the root alone for an empty path', () => {
    expect(jsonPath([])).toBe('$');
  });

  it('renders identifiers with dots and positions in brackets', () => {
    expect(jsonPath(['skills', 0, 'id'])).toBe('$.skills[0].id');
  });

  it('quotes names that are not identifiers', () => {
    expect(jsonPath(['securitySchemes', 'api-key', 'a "b"'])).toBe('$.securitySchemes["api-key"]["a \\"b\\""]');
  });

  it('starts from the root it is given', () => {
    expect(jsonPath(['name'], '$.agent_card')).toBe('$.agent_card.name');
  });
});
