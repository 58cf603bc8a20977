/**
 * Type-ahead: the text index also holds each word's leading characters as terms of their own
 * (`pre:tra`, `pre:tran`, ... for "translate"), so a query word that is the start of a card's word
 * is one more set intersection, as a whole word is, never a scan.
 */

/** Shortest prefix indexed: shorter ones would match most of the catalogue and tell little. */
const MIN_PREFIX_LENGTH = 3;
/** Longest prefix indexed: a query word longer than this matches whole words only. */
export const MAX_PREFIX_LENGTH = 10;
/**
 * Most prefix terms one card adds besides its whole words: each is a set membership its write
 * makes and keeps, so this bounds the extra cost (the whole words, at most MAX_TOKENS_PER_CARD,
 * always go in). Words come name first, then skills and tags, so type-ahead covers those before
 * descriptions. Measured with the benchmark's cards at 10,000 agents: Redis memory per agent
 * 3,286 B with 256 of them, 2,995 B with 48, against about 2,480 B without prefixes.
 */
export const MAX_PREFIX_TERMS_PER_CARD = 48;

/** Any UTF-16 surrogate: a word without one has one code unit per character. */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A word's characters (code points): the word itself when it has no surrogate, so that its length
 * and slices count characters without an array of them (card words are mostly ASCII); else an array.
 */
const charactersOf = (word: string): string | string[] => (SURROGATE.test(word) ? [...word] : word);

/** The first `length` characters of a word, from {@link charactersOf}. */
const leading = (characters: string | string[], length: number): string =>
  typeof characters === 'string' ? characters.slice(0, length) : characters.slice(0, length).join('');

/** Whether a query word is matched by its prefix term (which every card word it begins holds). */
export function isPrefixable(word: string): boolean {
  const { length } = charactersOf(word);
  return length >= MIN_PREFIX_LENGTH && length <= MAX_PREFIX_LENGTH;
}

/**
 * Adds `kind` + the prefix terms of `words` (distinct, folded tokens, in order of importance) to
 * `terms`. Every word of prefixable length goes in whole first, so that a query word's prefix
 * term holds every card that has it as a whole word too; then the shorter prefixes, up to `limit`.
 */
export function addPrefixTerms(terms: Set<string>, kind: string, words: readonly string[], limit = MAX_PREFIX_TERMS_PER_CARD): void {
  const characters = words.map(charactersOf);
  for (const [index, chars] of characters.entries()) {
    if (chars.length >= MIN_PREFIX_LENGTH && chars.length <= MAX_PREFIX_LENGTH) terms.add(kind + (words[index] as string));
  }
  let added = 0;
  for (const chars of characters) {
    for (let length = MIN_PREFIX_LENGTH; length < chars.length && length <= MAX_PREFIX_LENGTH; length++) {
      if (added === limit) return;
      const size = terms.size;
      terms.add(kind + leading(chars, length));
      if (terms.size > size) added++;
    }
  }
}

/** Whether an index term is a prefix term, which the card's term limit does not count (it has its own). */
export const isPrefixTerm = (term: string): boolean => term.startsWith('pre:') || term.startsWith('npre:');

/**
 * The terms a store indexes of a card's `terms` when it keeps words of prefixable length only as
 * prefix terms (`pre:`, `npre:`): their whole-word twins (`tok:`, `ntok:`) are left out, since a
 * search reads the prefix term of such a word, which holds every card that has the word whole.
 * A word unique to one card would otherwise cost two one-member sets where it costs one.
 */
export function withoutPrefixedWholeWords(terms: readonly string[]): string[] {
  return terms.filter((term) => !isPrefixedWholeWord(term));
}

function isPrefixedWholeWord(term: string): boolean {
  if (term.startsWith('tok:')) return isPrefixable(term.slice('tok:'.length));
  return term.startsWith('ntok:') && isPrefixable(term.slice('ntok:'.length));
}
