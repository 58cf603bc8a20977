import { randomBytes } from 'node:crypto';

/**
 * Marks where a RawJson value goes while JSON.stringify runs. The random part, made once per
 * process and never sent anywhere, keeps a client's own strings from ever matching it.
 */
const PLACEHOLDER = `\u0000${randomBytes(8).toString('hex')}:`;
/** The placeholder as JSON.stringify writes it, up to the index. */
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER).slice(0, -1);

/** The RawJson texts of the serialisation under way (JSON.stringify is synchronous, so one at a time). */
let collected: string[] | undefined;

/** JSON text that is already serialised, such as a card kept byte for byte, to embed as it is. */
export class RawJson {
  constructor(readonly text: string) {}

  /** Called by JSON.stringify: a placeholder that toJsonText swaps for the text (elsewhere, the parsed value). */
  toJSON(): unknown {
    if (!collected) return JSON.parse(this.text);
    collected.push(this.text);
    return `${PLACEHOLDER}${collected.length - 1}`;
  }
}

/**
 * JSON.stringify that embeds RawJson values verbatim, so stored cards reach clients unchanged
 * and without a parse and re-serialisation per request. The native serialiser does the work;
 * the cards are spliced in afterwards in one pass.
 */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  collected = raws;
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } finally {
    collected = undefined;
  }
  return raws.length === 0 ? text : spliceRaws(text, raws);
}

/** Puts each RawJson text where its placeholder is; they appear in the order they were collected. */
function spliceRaws(text: string, raws: readonly string[]): string {
  let spliced = '';
  let from = 0;
  for (const [index, raw] of raws.entries()) {
    const placeholder = `${PLACEHOLDER_JSON}${index}"`;
    const at = text.indexOf(placeholder, from);
    if (at < 0) throw new Error(`RawJson ${index} is missing from the serialised text`);
    spliced += text.slice(from, at) + raw;
    from = at + placeholder.length;
  }
  return spliced + text.slice(from);
}
