import { domainAndParents, interfaceHosts } from '../card/interface-hosts.js';
import type { NormalisedCard } from '../card/normalised-card.js';
import { addDistinctTokens } from './tokenizer.js';
import { addPrefixTerms } from './word-prefixes.js';

/**
 * The index a term belongs to. A term is `kind:value`; each term is one Redis set of agent ids.
 * `tok` holds text tokens of the whole card, `ntok` the tokens of its name (used for ranking);
 * `pre` and `npre` the same words' prefixes (`word-prefixes.ts`).
 * `host` holds each interface host and every domain above it: the agents a domain proof reaches.
 */
export type TermKind =
  | 'skill'
  | 'tag'
  | 'in'
  | 'out'
  | 'binding'
  | 'streaming'
  | 'push'
  | 'ext'
  | 'extreq'
  | 'org'
  | 'format'
  | 'sig'
  /** The worker's last probe status (src/probes/): not the card's, kept by the probe itself. */
  | 'probe'
  | 'host'
  | 'tok'
  | 'ntok'
  | 'pre'
  | 'npre';

/** Folds a value the way every index stores it: trimmed, single-spaced, lower-cased. */
export function foldValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function term(kind: TermKind, value: string): string {
  return `${kind}:${foldValue(value)}`;
}

/** The texts whose words the text index holds, name first. */
function textsOf(card: NormalisedCard): string[] {
  const texts = [card.name];
  for (const skill of card.skills) texts.push(skill.name, skill.id, ...skill.tags);
  texts.push(card.description);
  for (const skill of card.skills) texts.push(skill.description);
  return texts;
}

/**
 * Every index term a card belongs to: structured values and text tokens. Plain loops, not
 * flatMap and spreads: this runs on every write, and its garbage was a large part of a registration's.
 */
export function indexTermsOf(card: NormalisedCard): string[] {
  const terms = new Set<string>();
  const add = (kind: TermKind, value: string) => {
    if (value.trim() !== '') terms.add(term(kind, value));
  };
  const { skills } = card;
  for (const skill of skills) add('skill', skill.id);
  for (const skill of skills) for (const tag of skill.tags) add('tag', tag);
  for (const mode of card.defaultInputModes) add('in', mode);
  for (const skill of skills) for (const mode of skill.inputModes) add('in', mode);
  for (const mode of card.defaultOutputModes) add('out', mode);
  for (const skill of skills) for (const mode of skill.outputModes) add('out', mode);
  for (const { binding } of card.interfaces) add('binding', binding);
  add('streaming', String(card.capabilities.streaming));
  add('push', String(card.capabilities.pushNotifications));
  for (const extension of card.capabilities.extensions) add('ext', extension);
  // The agents that require an extension: the catalog says whether any does.
  for (const extension of card.capabilities.requiredExtensions) add('extreq', extension);
  if (card.provider) add('org', card.provider.organization);
  add('format', card.format);
  for (const host of interfaceHosts(card)) for (const domain of domainAndParents(host)) add('host', domain);
  // Tokens are folded already: lower-case, without white space.
  const words = addDistinctTokens(terms, 'tok:', textsOf(card));
  const nameWords = addDistinctTokens(terms, 'ntok:', [card.name]);
  addPrefixTerms(terms, 'pre:', [...words]);
  addPrefixTerms(terms, 'npre:', [...nameWords]);
  return [...terms];
}
