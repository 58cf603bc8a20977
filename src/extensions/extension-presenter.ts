import type { ExtensionEntry } from '../store/extension-catalog.js';
import type { DeclaredExtension, ExtensionInfo, ExtensionList } from './extension-service.js';
import type { AgentExtensionsBody, ExtensionBody, ExtensionInfoBody, ExtensionListBody } from './extension-responses.js';

/**
 * An extension as both doors show it, in the earlier registry's names where it had one
 * (`usage_count`, `first_declared_by_agent`, `first_declared_at`, `trust_level`).
 */
export function presentExtension(entry: ExtensionEntry): ExtensionBody {
  return {
    uri: entry.uri,
    required: entry.requiringAgents > 0,
    usage_count: entry.declaringAgents,
    requiring_agents_count: entry.requiringAgents,
    trust_level: entry.trustLevel,
    first_declared_by_agent: entry.firstDeclaredBy,
    first_declared_at: entry.firstSeen,
    first_seen: entry.firstSeen,
    last_seen: entry.lastSeen,
  };
}

export function presentExtensionList(list: ExtensionList): ExtensionListBody {
  return {
    extensions: list.entries.map(presentExtension),
    count: list.entries.length,
    total_count: list.total ?? null,
    next_page_token: list.nextPageToken ?? null,
  };
}

/** One extension with a page of the agents that declare it. */
export function presentExtensionInfo(info: ExtensionInfo): ExtensionInfoBody {
  return {
    ...presentExtension(info.entry),
    declaring_agents: info.agentIds,
    declaring_agents_next_page_token: info.nextPageToken ?? null,
  };
}

/** The extensions one agent declares: as its card has them, with what the catalog knows. */
export function presentAgentExtensions(agentId: string, declared: readonly DeclaredExtension[]): AgentExtensionsBody {
  return {
    agent_id: agentId,
    extensions: declared.map(({ uri, required, entry }) => ({
      ...(entry ? presentExtension(entry) : {}),
      uri,
      required_by_agent: required,
    })),
    count: declared.length,
  };
}
