/** JSON text that is already serialised, such as a card kept byte for byte, to embed as it is. */
export class RawJson {
  constructor(readonly text: string) {}
}

/**
 * JSON.stringify that embeds RawJson values verbatim, so stored cards reach clients unchanged
 * and without a parse and re-serialisation per request. Object keys are written in their order.
 */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const members = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([key, member]) => `${JSON.stringify(key)}:${toJsonText(member)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
