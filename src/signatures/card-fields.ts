/**
 * The fields of an agent card as the A2A proto (`a2a.proto`, package `lf.a2a.v1`) defines them, each
 * with its presence rule (required, explicit or implicit) and the shape of its value. The signing
 * forms (`card-canonical.ts`, `signing-forms.ts`) strip and compare cards by these tables.
 */
type Presence = 'required' | 'explicit' | 'implicit';

/** How the value of a field is shaped: a scalar or free-form value, a message, a list, or a map. */
export type Shape =
  | { kind: 'scalar' }
  | { kind: 'opaque' }
  | { kind: 'message'; fields: Fields }
  | { kind: 'repeated'; of: Shape }
  | { kind: 'map'; of: Shape };

export interface FieldRule {
  presence: Presence;
  shape: Shape;
}

export type Fields = Readonly<Record<string, FieldRule>>;

const SCALAR: Shape = { kind: 'scalar' };
const OPAQUE: Shape = { kind: 'opaque' };
const message = (fields: Fields): Shape => ({ kind: 'message', fields });
const repeated = (of: Shape): Shape => ({ kind: 'repeated', of });
const map = (of: Shape): Shape => ({ kind: 'map', of });

const required = (shape: Shape = SCALAR): FieldRule => ({ presence: 'required', shape });
const explicit = (shape: Shape = SCALAR): FieldRule => ({ presence: 'explicit', shape });
const implicit = (shape: Shape = SCALAR): FieldRule => ({ presence: 'implicit', shape });

const STRINGS = repeated(SCALAR);

const PROVIDER = message({ url: required(), organization: required() });

const EXTENSION = message({
  uri: implicit(),
  description: implicit(),
  required: implicit(),
  params: implicit(OPAQUE),
});

const OAUTH_FLOWS_V1 = message({
  authorizationCode: explicit(
    message({
      authorizationUrl: required(),
      tokenUrl: required(),
      refreshUrl: implicit(),
      scopes: required(map(SCALAR)),
      pkceRequired: implicit(),
    }),
  ),
  clientCredentials: explicit(
    message({ tokenUrl: required(), refreshUrl: implicit(), scopes: required(map(SCALAR)) }),
  ),
  implicit: explicit(message({ authorizationUrl: implicit(), refreshUrl: implicit(), scopes: implicit(map(SCALAR)) })),
  password: explicit(message({ tokenUrl: implicit(), refreshUrl: implicit(), scopes: implicit(map(SCALAR)) })),
  deviceCode: explicit(
    message({
      deviceAuthorizationUrl: required(),
      tokenUrl: required(),
      refreshUrl: implicit(),
      scopes: required(map(SCALAR)),
    }),
  ),
});

const SECURITY_SCHEME_V1 = message({
  apiKeySecurityScheme: explicit(message({ description: implicit(), location: required(), name: required() })),
  httpAuthSecurityScheme: explicit(message({ description: implicit(), scheme: required(), bearerFormat: implicit() })),
  oauth2SecurityScheme: explicit(
    message({ description: implicit(), flows: required(OAUTH_FLOWS_V1), oauth2MetadataUrl: implicit() }),
  ),
  openIdConnectSecurityScheme: explicit(message({ description: implicit(), openIdConnectUrl: required() })),
  mtlsSecurityScheme: explicit(message({ description: implicit() })),
});

const SECURITY_REQUIREMENT_V1 = message({ schemes: implicit(map(message({ list: implicit(STRINGS) }))) });

/** The capabilities the official SDKs' proto (1.3) knows. */
const SDK_CAPABILITIES: Fields = {
  streaming: explicit(),
  pushNotifications: explicit(),
  extensions: implicit(repeated(EXTENSION)),
  extendedAgentCard: explicit(),
};

const cardV1 = (capabilities: Fields): Shape =>
  message({
    name: required(),
    description: required(),
    supportedInterfaces: required(
      repeated(
        message({ url: required(), protocolBinding: required(), tenant: implicit(), protocolVersion: required() }),
      ),
    ),
    provider: implicit(PROVIDER),
    version: required(),
    documentationUrl: explicit(),
    capabilities: required(message(capabilities)),
    securitySchemes: implicit(map(SECURITY_SCHEME_V1)),
    securityRequirements: implicit(repeated(SECURITY_REQUIREMENT_V1)),
    defaultInputModes: required(STRINGS),
    defaultOutputModes: required(STRINGS),
    skills: required(
      repeated(
        message({
          id: required(),
          name: required(),
          description: required(),
          tags: required(STRINGS),
          examples: implicit(STRINGS),
          inputModes: implicit(STRINGS),
          outputModes: implicit(STRINGS),
          securityRequirements: implicit(repeated(SECURITY_REQUIREMENT_V1)),
        }),
      ),
    ),
    iconUrl: explicit(),
  });

/** An A2A 1.0 card, as the specification defines it. */
export const CARD_V1 = cardV1({ ...SDK_CAPABILITIES, skillQuery: explicit() });

/**
 * An A2A 1.0 card as the official SDKs' proto (`@a2a-js/sdk` 1.3, `a2a-sdk`) knows it: the
 * specification's fields but `capabilities.skillQuery`.
 */
export const SDK_CARD_V1 = cardV1(SDK_CAPABILITIES);

/** An A2A 0.3 card. */
export const CARD_V03 = message({
  protocolVersion: required(),
  name: required(),
  description: required(),
  url: required(),
  preferredTransport: implicit(),
  additionalInterfaces: implicit(repeated(message({ url: required(), transport: required() }))),
  iconUrl: implicit(),
  provider: implicit(PROVIDER),
  version: required(),
  documentationUrl: implicit(),
  capabilities: required(
    message({
      streaming: explicit(),
      pushNotifications: explicit(),
      stateTransitionHistory: explicit(),
      extensions: implicit(repeated(EXTENSION)),
    }),
  ),
  securitySchemes: implicit(map(OPAQUE)),
  security: implicit(repeated(OPAQUE)),
  defaultInputModes: required(STRINGS),
  defaultOutputModes: required(STRINGS),
  skills: required(
    repeated(
      message({
        id: required(),
        name: required(),
        description: required(),
        tags: required(STRINGS),
        examples: implicit(STRINGS),
        inputModes: implicit(STRINGS),
        outputModes: implicit(STRINGS),
        security: implicit(repeated(OPAQUE)),
      }),
    ),
  ),
  supportsAuthenticatedExtendedCard: explicit(),
});
