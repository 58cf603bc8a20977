const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '),
);

const ASCII_ONLY = /^[\x00-\x7f]*$/;
const ASCII_WORDS = /[a-z0-9]+/g;
const WORDS = /[\p{L}\p{N}]+/gu;
const MARKS = /\p{M}+/gu;

/** Most distinct tokens one card contributes to the text index, to bound memory per agent. */
export const MAX_TOKENS_PER_CARD = 200;

/** The lower-cased, accent-free words of `text`, stopwords and all. */
function wordsOf(text: string): readonly string[] {
  // Most card text is ASCII, where NFKD and the Unicode classes change nothing but cost more.
  const words = ASCII_ONLY.test(text)
    ? text.toLowerCase().match(ASCII_WORDS)
    : text.normalize('NFKD').replace(MARKS, '').toLowerCase().match(WORDS);
  return words ?? [];
}

const isToken = (word: string) => word.length >= 2 && word.length <= 64 && !STOPWORDS.has(word);

/**
 * Splits text into lower-cased, accent-free word tokens of two or more characters, without
 * common stopwords: the same rule for indexed cards and for queries, so they always meet.
 */
export function tokenize(text: string): string[] {
  return wordsOf(text).filter(isToken);
}

/**
 * Adds `prefix` + each distinct token of several texts to `terms`, in order of first appearance,
 * at most `limit` tokens (default {@link MAX_TOKENS_PER_CARD}); `terms` must hold none with that
 * prefix yet. Straight into the caller's set; a word met again is not prefixed again. Answers the
 * tokens added, in that order, so that the caller need not cut them out of `terms` again.
 */
export function addDistinctTokens(terms: Set<string>, prefix: string, texts: Iterable<string>, limit = MAX_TOKENS_PER_CARD): ReadonlySet<string> {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const word of wordsOf(text)) {
      if (seen.has(word) || !isToken(word)) continue;
      if (seen.size >= limit) return seen;
      seen.add(word);
      terms.add(prefix + word);
    }
  }
  return seen;
}
