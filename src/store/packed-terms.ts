/**
 * Packs index terms into one argument of the write scripts: one line per kind,
 * `kind:value<TAB>value...`, about a third shorter than a line per term (most terms are `tok:`
 * words). Term values never hold a tab or a newline, because `foldValue` turns every run of white
 * space into one space. `lua/lib/packed-terms.lua` reads the format.
 */
export function packTerms(terms: readonly string[]): string {
  const lines = new Map<string, string>();
  let kind = '';
  for (const term of terms) {
    const colon = term.indexOf(':');
    // Terms of a kind mostly come together: the kind cut from the one before serves again.
    if (colon !== kind.length - 1 || !term.startsWith(kind)) kind = term.slice(0, colon + 1);
    const line = lines.get(kind);
    lines.set(kind, line === undefined ? term : `${line}\t${term.slice(colon + 1)}`);
  }
  return [...lines.values()].join('\n');
}
