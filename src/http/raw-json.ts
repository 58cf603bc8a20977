/**
 * Small scanners over JSON text that JSON.parse has already accepted. They let the registry keep
 * a card's exact bytes (for signature checks) and refuse bodies nested deeper than it allows,
 * without recursion, so no input can exhaust the stack.
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

function skipWhitespace(text: string, index: number): number {
  while (index < text.length && WHITESPACE.has(text[index] as string)) index++;
  return index;
}

/** Index just past the string literal that starts at `index` (on its opening quote). */
function skipString(text: string, index: number): number {
  index++;
  while (index < text.length) {
    const char = text[index];
    if (char === '\\') index += 2;
    else if (char === '"') return index + 1;
    else index++;
  }
  return index;
}

/** Index just past the JSON value that starts at `index`. */
function skipValue(text: string, index: number): number {
  const first = text[index];
  if (first === '"') return skipString(text, index);
  if (first !== '{' && first !== '[') {
    while (index < text.length && !',]}'.includes(text[index] as string) && !WHITESPACE.has(text[index] as string)) {
      index++;
    }
    return index;
  }
  let depth = 0;
  while (index < text.length) {
    const char = text[index];
    if (char === '"') {
      index = skipString(text, index);
      continue;
    }
    if (char === '{' || char === '[') depth++;
    else if (char === '}' || char === ']') {
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
  while (index < text.length && text[index] !== '}') {
    const keyEnd = skipString(text, index);
    const name = JSON.parse(text.slice(index, keyEnd)) as string;
    const valueStart = skipWhitespace(text, skipWhitespace(text, keyEnd) + 1);
    const valueEnd = skipValue(text, valueStart);
    if (name === key) found = [valueStart, valueEnd];
    index = skipWhitespace(text, valueEnd);
    if (text[index] === ',') index = skipWhitespace(text, index + 1);
  }
  return found;
}

/** The [start, end) span of element `position` of the array at `index`. */
function elementSpan(text: string, index: number, position: number): [number, number] | undefined {
  index = skipWhitespace(text, index + 1);
  for (let i = 0; index < text.length && text[index] !== ']'; i++) {
    const end = skipValue(text, index);
    if (i === position) return [index, end];
    index = skipWhitespace(text, end);
    if (text[index] === ',') index = skipWhitespace(text, index + 1);
  }
  return undefined;
}

/**
 * The exact text of the value at `path` (object keys and array positions) inside valid JSON
 * text, or undefined when the path does not lead to a value.
 */
export function rawJsonAt(text: string, path: readonly (string | number)[]): string | undefined {
  let start = skipWhitespace(text, 0);
  let end = skipValue(text, start);
  for (const step of path) {
    const opener = text[start];
    const span =
      typeof step === 'number'
        ? opener === '['
          ? elementSpan(text, start, step)
          : undefined
        : opener === '{'
          ? memberSpan(text, start, step)
          : undefined;
    if (!span) return undefined;
    [start, end] = span;
  }
  return text.slice(start, end);
}

/** How deeply arrays and objects nest in JSON text. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '"') index = skipString(text, index) - 1;
    else if (char === '{' || char === '[') deepest = Math.max(deepest, ++depth);
    else if (char === '}' || char === ']') depth--;
  }
  return deepest;
}
