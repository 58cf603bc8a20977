/**
 * The one skill of the registry as an A2A agent: finding agents. A text query answers the best
 * matches the search service finds, as an A2A message with a text part to read and a data part to
 * parse. Its cost is bounded like a search page's: at most {@link MAX_MATCHES} records, one search
 * for the whole query and, when that finds nothing, one for each of at most {@link MAX_WORDS} words.
 */
import { randomUUID } from 'node:crypto';
import { parseSearchCriteria } from '../search/search-criteria.js';
import type { SearchService } from '../search/search-service.js';
import { tokenize } from '../search/tokenizer.js';
import type { AgentRecord } from '../store/agent-record.js';

/** The skill, as the registry's card lists it. */
export const FIND_AGENTS_SKILL = {
  id: 'find_agents',
  name: 'Find agents',
  description:
    'Send what you are looking for as text (a skill, a tag, a topic, a name); the answer lists the registered agents that match best, each with its id, name, description, URL and card location.',
  tags: ['registry', 'search', 'discovery'],
  examples: ['weather forecast', 'translate documents', 'agents that summarise PDF files'],
  inputModes: ['text/plain'],
  outputModes: ['application/json', 'text/plain'],
};

/** Matches answered when the caller names no page size. */
export const DEFAULT_MATCHES = 10;
/** Most matches one message answers. */
export const MAX_MATCHES = 50;
/** Most words of a query searched one by one when the whole query finds nothing. */
const MAX_WORDS = 8;

/** A text query and how many matches to answer. */
export interface FindAgentsRequest {
  query: string;
  pageSize: number;
  /** The conversation the question belongs to; the answer keeps it. */
  contextId?: string;
  /** Whether the caller takes JSON: when it named the output modes it accepts and JSON was not among them, the answer is text alone. */
  acceptsJson: boolean;
}

/** An A2A 1.0 message from the agent. */
export interface AgentMessage {
  messageId: string;
  contextId: string;
  role: 'ROLE_AGENT';
  parts: Array<{ text: string } | { data: unknown; mediaType: string }>;
}

function matchOf(record: AgentRecord, publicUrl: string) {
  return {
    agent_id: record.id,
    name: record.summary.name,
    description: record.summary.description,
    ...(record.summary.url ? { url: record.summary.url } : {}),
    signature_status: record.summary.signatureStatus,
    card_url: `${publicUrl}/agents/${encodeURIComponent(record.id)}/card`,
  };
}

/** Finds agents for natural-language text: every word first, then (when none match all) any of them. */
export class FindAgents {
  constructor(
    private readonly search: SearchService,
    private readonly publicUrl: string,
  ) {}

  async answer(request: FindAgentsRequest, maxBytes: number): Promise<AgentMessage> {
    const records = await this.matches(request.query, request.pageSize, maxBytes);
    const matches = records.map((record) => matchOf(record, this.publicUrl));
    const names = matches.map((match) => `${match.name} (${match.agent_id})`).join(', ');
    const text = matches.length === 0 ? `No registered agent matches "${request.query}".` : `Agents matching "${request.query}": ${names}.`;
    return {
      messageId: randomUUID(),
      contextId: request.contextId ?? randomUUID(),
      role: 'ROLE_AGENT',
      parts: request.acceptsJson ? [{ text }, { data: { query: request.query, matches }, mediaType: 'application/json' }] : [{ text }],
    };
  }

  private async matches(query: string, pageSize: number, maxBytes: number): Promise<AgentRecord[]> {
    const all = await this.page(query, pageSize, maxBytes);
    if (all.length > 0) return all;
    const words = [...new Set(tokenize(query))].sort((a, b) => b.length - a.length).slice(0, MAX_WORDS);
    if (words.length < 2) return all;
    const found = new Map<string, AgentRecord>();
    for (const word of words) {
      if (found.size >= pageSize) break;
      for (const record of await this.page(word, pageSize - found.size, maxBytes)) found.set(record.id, record);
    }
    return [...found.values()].slice(0, pageSize);
  }

  private async page(query: string, limit: number, maxBytes: number): Promise<AgentRecord[]> {
    return (await this.search.search(parseSearchCriteria({ query, limit }), maxBytes)).records;
  }
}
