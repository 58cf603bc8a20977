const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with'.split(' '),
);

/** Most distinct tokens one card contributes to the text index, to bound memory per agent. */
export const MAX_TOKENS_PER_CARD = 200;

/**
 * Splits text into lower-cased, accent-free word tokens of two or more characters, without
 * common stopwords: the same rule for indexed cards and for queries, so they always meet.
 */
export function tokenize(text: string): string[] {
  const folded = text.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase();
  const tokens: string[] = [];
  for (const word of folded.split(/[^\p{L}\p{N}]+/u)) {
    if (word.length >= 2 && word.length <= 64 && !STOPWORDS.has(word)) tokens.push(word);
  }
  return tokens;
}

/** Distinct tokens of several texts, in order of first appearance, at most `limit` of them. */
export function distinctTokens(texts: Iterable<string>, limit = MAX_TOKENS_PER_CARD): string[] {
  const seen = new Set<string>();
  for (const text of texts) {
    for (const token of tokenize(text)) {
      if (seen.size >= limit) return [...seen];
      seen.add(token);
    }
  }
  return [...seen];
}
