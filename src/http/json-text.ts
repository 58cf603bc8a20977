import { randomBytes } from 'node:crypto';

/**
 * Marks where an embedded value goes while JSON.stringify runs. The random part, made once per
 * process and never sent anywhere, keeps a client's own strings from ever matching it.
 */
const PLACEHOLDER = `\u0000${randomBytes(8).toString('hex')}:`;
/** The placeholder as JSON.stringify writes it, up to the index. */
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER).slice(0, -1);

/** The embedded values of the serialisation under way (JSON.stringify is synchronous, so one at a time). */
let collected: EmbeddedJson[] | undefined;

/** A value whose JSON bytes already exist, which toJsonBytes copies in instead of serialising it. */
abstract class EmbeddedJson {
  /** Called by JSON.stringify: a placeholder that toJsonBytes swaps for the bytes (elsewhere, the parsed value). */
  toJSON(): unknown {
    if (!collected) return this.parsed();
    collected.push(this);
    return `${PLACEHOLDER}${collected.length - 1}`;
  }

  /** Appends the value's UTF-8 bytes, in order, to `pieces`. */
  abstract appendBytes(pieces: Buffer[]): void;

  protected abstract parsed(): unknown;
}

/** JSON that is already serialised, such as a card kept byte for byte, to embed as it is. */
export class RawJson extends EmbeddedJson {
  private encoded: Buffer | undefined;
  private decoded: string | undefined;

  /** From its text, or from its UTF-8 bytes. */
  constructor(source: string | Buffer) {
    super();
    if (typeof source === 'string') this.decoded = source;
    else this.encoded = source;
  }

  get text(): string {
    this.decoded ??= (this.encoded as Buffer).toString();
    return this.decoded;
  }

  /**
   * The JSON as UTF-8, encoded on first use and kept: presenters keep one RawJson per record,
   * and every page that lists the record then copies these bytes instead of encoding its card again.
   */
  get bytes(): Buffer {
    this.encoded ??= Buffer.from(this.decoded as string);
    return this.encoded;
  }

  appendBytes(pieces: Buffer[]): void {
    pieces.push(this.bytes);
  }

  protected parsed(): unknown {
    return JSON.parse(this.text);
  }
}

const OPEN_BRACKET = Buffer.from('[');
const COMMA = Buffer.from(',');
const CLOSE_BRACKET = Buffer.from(']');

/**
 * A JSON array of RawJson values, embedded as one: a page of fifty cards then costs the
 * serialiser one placeholder instead of fifty calls out of native code and fifty text searches.
 */
export class RawJsonArray extends EmbeddedJson {
  constructor(readonly items: readonly RawJson[]) {
    super();
  }

  appendBytes(pieces: Buffer[]): void {
    pieces.push(OPEN_BRACKET);
    this.items.forEach((item, index) => {
      if (index > 0) pieces.push(COMMA);
      pieces.push(item.bytes);
    });
    pieces.push(CLOSE_BRACKET);
  }

  protected parsed(): unknown {
    return this.items.map((item) => JSON.parse(item.text));
  }
}

/**
 * JSON.stringify as UTF-8 bytes, with RawJson values (and arrays of them) embedded verbatim, so
 * stored cards reach clients unchanged and without a parse and re-serialisation per request. The
 * native serialiser writes the rest around placeholders; the kept bytes then go where those are,
 * so a page of fifty cards is copied, not encoded, and never becomes one large string first.
 */
export function toJsonBytes(value: unknown): Buffer {
  const embedded: EmbeddedJson[] = [];
  collected = embedded;
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } finally {
    collected = undefined;
  }
  const skeleton = Buffer.from(text);
  if (embedded.length === 0) return skeleton;
  // Offsets into the text are offsets into its bytes only while every character is one byte.
  const oneBytePerCharacter = skeleton.length === text.length;
  const slice = (from: number, to: number) => (oneBytePerCharacter ? skeleton.subarray(from, to) : Buffer.from(text.slice(from, to)));
  const pieces: Buffer[] = [];
  let from = 0;
  for (const [index, kept] of embedded.entries()) {
    const placeholder = `${PLACEHOLDER_JSON}${index}"`;
    const at = text.indexOf(placeholder, from);
    if (at < 0) throw new Error(`Embedded value ${index} is missing from the serialised text`);
    pieces.push(slice(from, at));
    kept.appendBytes(pieces);
    from = at + placeholder.length;
  }
  pieces.push(slice(from, text.length));
  return Buffer.concat(pieces);
}
