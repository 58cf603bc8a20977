import type { CardV03, CardV1, LegacyCard } from './card-schemas.js';
import type { AgentInterface, NormalisedCard, NormalisedSkill } from './normalised-card.js';

const unique = (values: Iterable<string>): string[] => [...new Set(values)];

/** The URIs of a card's extensions, and of those it requires. */
function extensionsOf(extensions: readonly { uri: string; required?: boolean | undefined }[] | undefined) {
  const all = extensions ?? [];
  return {
    extensions: unique(all.map((e) => e.uri)),
    requiredExtensions: unique(all.filter((e) => e.required === true).map((e) => e.uri)),
  };
}

function optionalFields(fields: { documentationUrl?: string | undefined; iconUrl?: string | undefined }) {
  return {
    ...(fields.documentationUrl ? { documentationUrl: fields.documentationUrl } : {}),
    ...(fields.iconUrl ? { iconUrl: fields.iconUrl } : {}),
  };
}

function providerOf(provider: { organization: string; url?: string | undefined } | undefined) {
  if (!provider) return {};
  return { provider: { organization: provider.organization, ...(provider.url ? { url: provider.url } : {}) } };
}

type CamelSkill = CardV1['skills'][number] | CardV03['skills'][number];

function skillOf(skill: CamelSkill): NormalisedSkill {
  return {
    id: skill.id,
    name: skill.name,
    description: skill.description,
    tags: skill.tags,
    inputModes: skill.inputModes ?? [],
    outputModes: skill.outputModes ?? [],
  };
}

export function normaliseV1(card: CardV1): NormalisedCard {
  const interfaces: AgentInterface[] = card.supportedInterfaces.map((i) => ({
    url: i.url,
    binding: i.protocolBinding,
    protocolVersion: i.protocolVersion,
  }));
  return {
    format: 'a2a-1.0',
    name: card.name,
    description: card.description,
    version: card.version,
    protocolVersions: unique(card.supportedInterfaces.map((i) => i.protocolVersion)),
    interfaces,
    ...providerOf(card.provider),
    skills: card.skills.map(skillOf),
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    capabilities: {
      streaming: card.capabilities.streaming === true,
      pushNotifications: card.capabilities.pushNotifications === true,
      extendedAgentCard: card.capabilities.extendedAgentCard === true,
      ...extensionsOf(card.capabilities.extensions),
    },
    securitySchemes: Object.keys(card.securitySchemes ?? {}),
    signed: (card.signatures?.length ?? 0) > 0,
    ...optionalFields(card),
  };
}

function interfacesV03(
  url: string,
  preferred: string | undefined,
  protocolVersion: string,
  additional: { url: string; transport: string }[] | undefined,
): AgentInterface[] {
  const main: AgentInterface = { url, binding: preferred ?? 'JSONRPC', protocolVersion };
  const others = (additional ?? [])
    .filter((i) => !(i.url === main.url && i.transport === main.binding))
    .map((i) => ({ url: i.url, binding: i.transport, protocolVersion }));
  return [main, ...others];
}

export function normaliseV03(card: CardV03): NormalisedCard {
  return {
    format: 'a2a-0.3',
    name: card.name,
    description: card.description,
    version: card.version,
    protocolVersions: [card.protocolVersion],
    interfaces: interfacesV03(card.url, card.preferredTransport, card.protocolVersion, card.additionalInterfaces),
    ...providerOf(card.provider),
    skills: card.skills.map(skillOf),
    defaultInputModes: card.defaultInputModes,
    defaultOutputModes: card.defaultOutputModes,
    capabilities: {
      streaming: card.capabilities.streaming === true,
      pushNotifications: card.capabilities.pushNotifications === true,
      extendedAgentCard: card.supportsAuthenticatedExtendedCard === true,
      ...extensionsOf(card.capabilities.extensions),
    },
    securitySchemes: Object.keys(card.securitySchemes ?? {}),
    signed: (card.signatures?.length ?? 0) > 0,
    ...optionalFields(card),
  };
}

export function normaliseLegacy(card: LegacyCard): NormalisedCard {
  const capabilities = card.capabilities ?? {};
  return {
    format: 'legacy',
    name: card.name,
    description: card.description,
    version: card.version,
    protocolVersions: [card.protocol_version],
    interfaces: interfacesV03(card.url, card.preferred_transport, card.protocol_version, card.additional_interfaces),
    ...providerOf(card.provider),
    skills: (card.skills ?? []).map((s) => ({
      id: s.id,
      name: s.name ?? s.id,
      description: s.description ?? '',
      tags: s.tags ?? [],
      inputModes: s.input_modes ?? [],
      outputModes: s.output_modes ?? [],
    })),
    defaultInputModes: card.default_input_modes ?? [],
    defaultOutputModes: card.default_output_modes ?? [],
    capabilities: {
      streaming: capabilities.streaming === true,
      pushNotifications: (capabilities.push_notifications ?? capabilities.pushNotifications) === true,
      extendedAgentCard: false,
      ...extensionsOf(capabilities.extensions),
    },
    securitySchemes: [],
    signed: false,
    ...optionalFields({ documentationUrl: card.documentation_url, iconUrl: card.icon_url }),
  };
}
