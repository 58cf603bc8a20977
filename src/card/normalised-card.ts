import type { CardFormat } from './card-schemas.js';

/** One endpoint at which an agent can be reached. */
export interface AgentInterface {
  url: string;
  /** Protocol binding as the card names it (`JSONRPC`, `GRPC`, `HTTP+JSON` or a URI). */
  binding: string;
  protocolVersion?: string;
}

export interface NormalisedSkill {
  id: string;
  name: string;
  description: string;
  tags: string[];
  inputModes: string[];
  outputModes: string[];
}

/**
 * The fields of a card that the registry indexes and shows in summaries, in one shape
 * whatever the card's format. The card itself is kept, unchanged, beside it.
 */
export interface NormalisedCard {
  format: CardFormat;
  name: string;
  description: string;
  version: string;
  protocolVersions: string[];
  interfaces: AgentInterface[];
  provider?: { organization: string; url?: string };
  skills: NormalisedSkill[];
  defaultInputModes: string[];
  defaultOutputModes: string[];
  capabilities: {
    streaming: boolean;
    pushNotifications: boolean;
    extendedAgentCard: boolean;
    extensions: string[];
    /** The extensions the card declares `required: true`, a subset of `extensions`. */
    requiredExtensions: string[];
  };
  securitySchemes: string[];
  signed: boolean;
  documentationUrl?: string;
  iconUrl?: string;
}
