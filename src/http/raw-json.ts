/**
 * Small scanners over JSON text that JSON.parse has already accepted. They let the registry keep
 * a card's exact bytes (for signature checks) and refuse bodies nested deeper than it allows,
 * without recursion, so no input can exhaust the stack.
 */

// Character codes: the scanners compare codes, not one-character strings, as they run on every body.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

const isWhitespace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
const isOpener = (code: number) => code === OPEN_BRACE || code === OPEN_BRACKET;
const isCloser = (code: number) => code === CLOSE_BRACE || code === CLOSE_BRACKET;

/** Index of the first character at or after `index` that is not JSON white space (RFC 8259). */
export function skipWhitespace(text: string, index: number): number {
  while (index < text.length && isWhitespace(text.charCodeAt(index))) index++;
  return index;
}

/** Index just past the string literal that starts at `index` (on its opening quote). */
function skipString(text: string, index: number): number {
  index++;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === BACKSLASH) index += 2;
    else if (code === QUOTE) return index + 1;
    else index++;
  }
  return index;
}

/** Index just past the JSON value that starts at `index`. */
function skipValue(text: string, index: number): number {
  const first = text.charCodeAt(index);
  if (first === QUOTE) return skipString(text, index);
  if (!isOpener(first)) {
    for (let code = first; index < text.length && code !== COMMA && !isCloser(code) && !isWhitespace(code); ) {
      code = text.charCodeAt(++index);
    }
    return index;
  }
  let depth = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = skipString(text, index);
      continue;
    }
    if (isOpener(code)) depth++;
    else if (isCloser(code)) {
      depth--;
      if (depth === 0) return index + 1;
    }
    index++;
  }
  return index;
}

/** The [start, end) span of the member `key` of the object at `index`; the last one wins, as in JSON.parse. */
function memberSpan(text: string, index: number, key: string): [number, number] | undefined {
  let found: [number, number] | undefined;
  index = skipWhitespace(text, index + 1);
  while (index < text.length && text.charCodeAt(index) !== CLOSE_BRACE) {
    const keyEnd = skipString(text, index);
    const name = JSON.parse(text.slice(index, keyEnd)) as string;
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const valueEnd = skipValue(text, valueStart);
    if (name === key) found = [valueStart, valueEnd];
    index = skipWhitespace(text, valueEnd);
    if (text.charCodeAt(index) === COMMA) index = skipWhitespace(text, index + 1);
  }
  return found;
}

/** The [start, end) span of element `position` of the array at `index`. */
function elementSpan(text: string, index: number, position: number): [number, number] | undefined {
  index = skipWhitespace(text, index + 1);
  for (let i = 0; index < text.length && text.charCodeAt(index) !== CLOSE_BRACKET; i++) {
    const end = skipValue(text, index);
    if (i === position) return [index, end];
    index = skipWhitespace(text, end);
    if (text.charCodeAt(index) === COMMA) index = skipWhitespace(text, index + 1);
  }
  return undefined;
}

/**
 * The exact text of the value at `path` (object keys and array positions) inside valid JSON
 * text, or undefined when the path does not lead to a value.
 */
export function rawJsonAt(text: string, path: readonly (string | number)[]): string | undefined {
  let start = skipWhitespace(text, 0);
  let end: number | undefined;
  for (const step of path) {
    const opener = text.charCodeAt(start);
    const span =
      typeof step === 'number'
        ? opener === OPEN_BRACKET
          ? elementSpan(text, start, step)
          : undefined
        : opener === OPEN_BRACE
          ? memberSpan(text, start, step)
          : undefined;
    if (!span) return undefined;
    [start, end] = span;
  }
  return text.slice(start, end ?? skipValue(text, start));
}

/** How deeply arrays and objects nest in JSON text. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) index = skipString(text, index) - 1;
    else if (isOpener(code)) deepest = Math.max(deepest, ++depth);
    else if (isCloser(code)) depth--;
  }
  return deepest;
}

/**
 * The exact text of each element of the array at `path` inside valid JSON text, in order, or
 * undefined when the path does not lead to an array: one pass, however many elements.
 */
export function rawJsonElements(text: string, path: readonly (string | number)[]): string[] | undefined {
  const array = rawJsonAt(text, path);
  if (array?.charCodeAt(0) !== OPEN_BRACKET) return undefined;
  const elements: string[] = [];
  let index = skipWhitespace(array, 1);
  while (index < array.length && array.charCodeAt(index) !== CLOSE_BRACKET) {
    const end = skipValue(array, index);
    elements.push(array.slice(index, end));
    index = skipWhitespace(array, end);
    if (array.charCodeAt(index) === COMMA) index = skipWhitespace(array, index + 1);
  }
  return elements;
}
