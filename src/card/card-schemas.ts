import { z } from 'zod';
import { CARD_LIMITS } from './card-limits.js';

/** Which of the agent card shapes seen in the wild a card has. */
export type CardFormat = 'a2a-1.0' | 'a2a-0.3' | 'legacy';

const text = z.string().min(1, 'must be a non-empty string');
const absoluteUrl = text.refine((value) => URL.canParse(value), 'must be an absolute URL');
const jsonObject = z.record(z.string(), z.unknown());

const atMost = (limit: number) => `must hold at most ${limit} items`;
/** A value that becomes an index term: bounded, as every term is a Redis key. */
const indexed = text.max(CARD_LIMITS.indexedValueLength, `must be at most ${CARD_LIMITS.indexedValueLength} characters`);
const listOf = <T extends z.ZodType>(item: T, limit: number) => z.array(item).max(limit, atMost(limit));
const modes = listOf(indexed, CARD_LIMITS.modes);
const nonEmptyModes = modes.min(1, 'must not be empty');
const tags = listOf(indexed, CARD_LIMITS.tagsPerSkill);
const examples = listOf(text, CARD_LIMITS.examplesPerSkill);
const securityRequirements = listOf(jsonObject, CARD_LIMITS.securityEntries);
const securitySchemesOf = <T extends z.ZodType>(scheme: T) =>
  z
    .record(z.string(), scheme)
    .refine((schemes) => Object.keys(schemes).length <= CARD_LIMITS.securityEntries, atMost(CARD_LIMITS.securityEntries));

const provider = z.looseObject({ organization: indexed, url: absoluteUrl.optional() });

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
  uri: indexed,
  description: z.string().optional(),
  required: z.boolean().optional(),
  params: jsonObject.optional(),
});

const capabilitiesV1 = z.looseObject({
  streaming: z.boolean().optional(),
  pushNotifications: z.boolean().optional(),
  extendedAgentCard: z.boolean().optional(),
  extensions: listOf(extension, CARD_LIMITS.extensions).optional(),
});

const skillV1 = z.looseObject({
  id: indexed,
  name: text,
  description: text,
  tags: tags.min(1, 'must not be empty'),
  examples: examples.optional(),
  inputModes: modes.optional(),
  outputModes: modes.optional(),
  securityRequirements: securityRequirements.optional(),
});

const signature = z.looseObject({ protected: text, signature: text, header: jsonObject.optional() });

export const cardV1Schema = z.looseObject({
  name: text,
  description: text,
  version: text,
  supportedInterfaces: listOf(
    z.looseObject({
      url: absoluteUrl,
      protocolBinding: indexed,
      protocolVersion: text,
      tenant: z.string().optional(),
    }),
    CARD_LIMITS.interfaces,
  ).min(1, 'must not be empty'),
  capabilities: capabilitiesV1,
  defaultInputModes: nonEmptyModes,
  defaultOutputModes: nonEmptyModes,
  skills: listOf(skillV1, CARD_LIMITS.skills).min(1, 'must not be empty'),
  provider: provider.optional(),
  documentationUrl: absoluteUrl.optional(),
  iconUrl: absoluteUrl.optional(),
  securitySchemes: securitySchemesOf(securitySchemeV1).optional(),
  securityRequirements: securityRequirements.optional(),
  signatures: listOf(signature, CARD_LIMITS.signatures).optional(),
});

const capabilitiesV03 = z.looseObject({
  streaming: z.boolean().optional(),
  pushNotifications: z.boolean().optional(),
  stateTransitionHistory: z.boolean().optional(),
  extensions: listOf(extension, CARD_LIMITS.extensions).optional(),
});

const skillV03 = z.looseObject({
  id: indexed,
  name: text,
  description: text,
  tags,
  examples: examples.optional(),
  inputModes: modes.optional(),
  outputModes: modes.optional(),
});

export const cardV03Schema = z.looseObject({
  name: text,
  description: text,
  url: absoluteUrl,
  version: text,
  protocolVersion: text,
  preferredTransport: indexed.optional(),
  additionalInterfaces: listOf(z.looseObject({ url: absoluteUrl, transport: indexed }), CARD_LIMITS.interfaces).optional(),
  capabilities: capabilitiesV03,
  defaultInputModes: modes,
  defaultOutputModes: modes,
  skills: listOf(skillV03, CARD_LIMITS.skills),
  provider: provider.optional(),
  documentationUrl: absoluteUrl.optional(),
  iconUrl: absoluteUrl.optional(),
  securitySchemes: securitySchemesOf(jsonObject).optional(),
  security: securityRequirements.optional(),
  supportsAuthenticatedExtendedCard: z.boolean().optional(),
  signatures: listOf(signature, CARD_LIMITS.signatures).optional(),
});

/** The snake_case form sent by clients of the earlier Python registry: fewer required fields. */
export const legacyCardSchema = z.looseObject({
  name: text,
  description: text,
  url: absoluteUrl,
  version: text,
  protocol_version: text,
  preferred_transport: indexed.optional(),
  additional_interfaces: listOf(z.looseObject({ url: absoluteUrl, transport: indexed }), CARD_LIMITS.interfaces).optional(),
  capabilities: z
    .looseObject({
      streaming: z.boolean().optional(),
      push_notifications: z.boolean().optional(),
      pushNotifications: z.boolean().optional(),
      extensions: listOf(extension, CARD_LIMITS.extensions).optional(),
    })
    .optional(),
  default_input_modes: modes.optional(),
  default_output_modes: modes.optional(),
  skills: listOf(
    z.looseObject({
      id: indexed,
      name: text.optional(),
      description: z.string().optional(),
      tags: tags.optional(),
      input_modes: modes.optional(),
      output_modes: modes.optional(),
    }),
    CARD_LIMITS.skills,
  ).optional(),
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

/** A top-level `protocolVersion` of 0.x: the card is 0.3-shaped (1.0 cards name versions per interface). */
const isV03Version = (value: unknown): boolean => typeof value === 'string' && /^0\./.test(value.trim());

/**
 * Tells the card shapes apart: `supportedInterfaces` means 1.0, snake_case keys mean the legacy
 * form. A 0.3 card that embeds the 1.0 interfaces beside its own (as SDK servers with 0.3
 * compatibility serve to clients that ask for no version) is still a 0.3 card: its top-level
 * `protocolVersion` says so.
 */
export function detectCardFormat(card: Record<string, unknown>): CardFormat {
  if ('supportedInterfaces' in card && !isV03Version(card.protocolVersion)) return 'a2a-1.0';
  if (!('protocolVersion' in card) && LEGACY_KEYS.some((key) => key in card)) return 'legacy';
  return 'a2a-0.3';
}
