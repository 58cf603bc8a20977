import { z } from 'zod';

/** Which of the agent card shapes seen in the wild a card has. */
export type CardFormat = 'a2a-1.0' | 'a2a-0.3' | 'legacy';

const text = z.string().min(1, 'must be a non-empty string');
const absoluteUrl = text.refine((value) => URL.canParse(value), 'must be an absolute URL');
const strings = z.array(text);
const nonEmptyStrings = strings.min(1, 'must not be empty');
const jsonObject = z.record(z.string(), z.unknown());

const provider = z.looseObject({ organization: text, url: absoluteUrl.optional() });

const securitySchemeWrappers = [
  'apiKeySecurityScheme',
  'httpAuthSecurityScheme',
  'oauth2SecurityScheme',
  'openIdConnectSecurityScheme',
  'mtlsSecurityScheme',
] as const;

const securitySchemeV1 = jsonObject.superRefine((scheme, ctx) => {
  const wrappers = Object.keys(scheme).filter((key) => (securitySchemeWrappers as readonly string[]).includes(key));
  if (wrappers.length !== 1) {
    ctx.addIssue({ code: 'custom', message: `must have exactly one of ${securitySchemeWrappers.join(', ')}` });
  }
});

const extension = z.looseObject({
  uri: text,
  description: z.string().optional(),
  required: z.boolean().optional(),
  params: jsonObject.optional(),
});

const capabilitiesV1 = z.looseObject({
  streaming: z.boolean().optional(),
  pushNotifications: z.boolean().optional(),
  extendedAgentCard: z.boolean().optional(),
  extensions: z.array(extension).optional(),
});

const skillV1 = z.looseObject({
  id: text,
  name: text,
  description: text,
  tags: nonEmptyStrings,
  examples: strings.optional(),
  inputModes: strings.optional(),
  outputModes: strings.optional(),
  securityRequirements: z.array(jsonObject).optional(),
});

const signature = z.looseObject({ protected: text, signature: text, header: jsonObject.optional() });

export const cardV1Schema = z.looseObject({
  name: text,
  description: text,
  version: text,
  supportedInterfaces: z
    .array(
      z.looseObject({
        url: absoluteUrl,
        protocolBinding: text,
        protocolVersion: text,
        tenant: z.string().optional(),
      }),
    )
    .min(1, 'must not be empty'),
  capabilities: capabilitiesV1,
  defaultInputModes: nonEmptyStrings,
  defaultOutputModes: nonEmptyStrings,
  skills: z.array(skillV1).min(1, 'must not be empty'),
  provider: provider.optional(),
  documentationUrl: absoluteUrl.optional(),
  iconUrl: absoluteUrl.optional(),
  securitySchemes: z.record(z.string(), securitySchemeV1).optional(),
  securityRequirements: z.array(jsonObject).optional(),
  signatures: z.array(signature).optional(),
});

const capabilitiesV03 = z.looseObject({
  streaming: z.boolean().optional(),
  pushNotifications: z.boolean().optional(),
  stateTransitionHistory: z.boolean().optional(),
  extensions: z.array(extension).optional(),
});

const skillV03 = z.looseObject({
  id: text,
  name: text,
  description: text,
  tags: strings,
  examples: strings.optional(),
  inputModes: strings.optional(),
  outputModes: strings.optional(),
});

export const cardV03Schema = z.looseObject({
  name: text,
  description: text,
  url: absoluteUrl,
  version: text,
  protocolVersion: text,
  preferredTransport: text.optional(),
  additionalInterfaces: z.array(z.looseObject({ url: absoluteUrl, transport: text })).optional(),
  capabilities: capabilitiesV03,
  defaultInputModes: strings,
  defaultOutputModes: strings,
  skills: z.array(skillV03),
  provider: provider.optional(),
  documentationUrl: absoluteUrl.optional(),
  iconUrl: absoluteUrl.optional(),
  securitySchemes: z.record(z.string(), jsonObject).optional(),
  security: z.array(jsonObject).optional(),
  supportsAuthenticatedExtendedCard: z.boolean().optional(),
  signatures: z.array(signature).optional(),
});

/** The snake_case form sent by clients of the earlier Python registry: fewer required fields. */
export const legacyCardSchema = z.looseObject({
  name: text,
  description: text,
  url: absoluteUrl,
  version: text,
  protocol_version: text,
  preferred_transport: text.optional(),
  additional_interfaces: z.array(z.looseObject({ url: absoluteUrl, transport: text })).optional(),
  capabilities: z
    .looseObject({
      streaming: z.boolean().optional(),
      push_notifications: z.boolean().optional(),
      pushNotifications: z.boolean().optional(),
      extensions: z.array(extension).optional(),
    })
    .optional(),
  default_input_modes: strings.optional(),
  default_output_modes: strings.optional(),
  skills: z
    .array(
      z.looseObject({
        id: text,
        name: text.optional(),
        description: z.string().optional(),
        tags: strings.optional(),
        input_modes: strings.optional(),
        output_modes: strings.optional(),
      }),
    )
    .optional(),
  provider: provider.optional(),
  documentation_url: absoluteUrl.optional(),
  icon_url: absoluteUrl.optional(),
});

export type CardV1 = z.infer<typeof cardV1Schema>;
export type CardV03 = z.infer<typeof cardV03Schema>;
export type LegacyCard = z.infer<typeof legacyCardSchema>;

const LEGACY_KEYS = [
  'protocol_version',
  'preferred_transport',
  'default_input_modes',
  'default_output_modes',
  'documentation_url',
  'additional_interfaces',
];

/** Tells the card shapes apart: `supportedInterfaces` means 1.0, snake_case keys mean the legacy form. */
export function detectCardFormat(card: Record<string, unknown>): CardFormat {
  if ('supportedInterfaces' in card) return 'a2a-1.0';
  if (!('protocolVersion' in card) && LEGACY_KEYS.some((key) => key in card)) return 'legacy';
  return 'a2a-0.3';
}
