import type { NormalisedCard } from '../agents/card/normalised-card.js';
import { distinctTokens } from './tokenizer.js';

/**
 * The index a term belongs to. A term is `kind:value`; each term is one Redis set of agent ids.
 * `tok` holds text tokens of the whole card, `ntok` the tokens of its name (used for ranking).
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
  | 'org'
  | 'format'
  | 'sig'
  | 'tok'
  | 'ntok';

/** Folds a value the way every index stores it: trimmed, single-spaced, lower-cased. */
export function foldValue(value: string): string {
  return value.trim().replace(/\s+/g, ' ').toLowerCase();
}

export function term(kind: TermKind, value: string): string {
  return `${kind}:${foldValue(value)}`;
}

function textsOf(card: NormalisedCard): string[] {
  return [
    card.name,
    ...card.skills.flatMap((s) => [s.name, s.id, ...s.tags]),
    card.description,
    ...card.skills.map((s) => s.description),
  ];
}

/** Every index term a card belongs to: structured values and text tokens. */
export function indexTermsOf(card: NormalisedCard): string[] {
  const terms = new Set<string>();
  const add = (kind: TermKind, values: Iterable<string>) => {
    for (const value of values) if (value.trim()) terms.add(term(kind, value));
  };
  add('skill', card.skills.map((s) => s.id));
  add('tag', card.skills.flatMap((s) => s.tags));
  add('in', [...card.defaultInputModes, ...card.skills.flatMap((s) => s.inputModes)]);
  add('out', [...card.defaultOutputModes, ...card.skills.flatMap((s) => s.outputModes)]);
  add('binding', card.interfaces.map((i) => i.binding));
  add('streaming', [String(card.capabilities.streaming)]);
  add('push', [String(card.capabilities.pushNotifications)]);
  add('ext', card.capabilities.extensions);
  add('org', card.provider ? [card.provider.organization] : []);
  add('format', [card.format]);
  add('tok', distinctTokens(textsOf(card)));
  add('ntok', distinctTokens([card.name]));
  return [...terms];
}
