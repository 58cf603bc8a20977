/**
 * JSON text as Python's `json.dumps(value, separators=(',', ':'), sort_keys=True)` writes it, which is
 * what the Python `a2a-sdk` signs (its `canonicalize_agent_card`, then PyJWT's own `json.dumps` of
 * the parsed result, keeping the order). It differs from RFC 8785 in three ways a signature sees:
 * every character outside printable ASCII is escaped (`ensure_ascii`), members are sorted by code
 * point rather than by UTF-16 unit, and numbers are Python floats (`MessageToDict` turns every
 * number of a `google.protobuf.Struct`, the only numbers a card's proto form holds, into one).
 */
import { CanonicalisationError, MAX_CANONICAL_DEPTH } from './card-canonical.js';

const SHORT_ESCAPES: Readonly<Record<string, string>> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function pythonString(value: string): string {
  let text = '"';
  for (let index = 0; index < value.length; index++) {
    const char = value.charAt(index);
    const code = value.charCodeAt(index);
    if (SHORT_ESCAPES[char] !== undefined) text += SHORT_ESCAPES[char];
    else if (code >= 0x20 && code <= 0x7e) text += char;
    else text += `\\u${code.toString(16).padStart(4, '0')}`; // UTF-16 units: astral characters become surrogate pairs, as in Python
  }
  return `${text}"`;
}

/** Python's `repr` of a float: shortest digits, fixed notation from 1e-4 up to 1e16, `.0` on whole numbers. */
function pythonFloat(value: number): string {
  if (!Number.isFinite(value)) throw new CanonicalisationError(`number ${value} has no JSON form`);
  if (Object.is(value, -0)) return '-0.0';
  const magnitude = Math.abs(value);
  if (value === 0 || (magnitude >= 1e-4 && magnitude < 1e16)) {
    const fixed = String(value);
    return fixed.includes('.') ? fixed : `${fixed}.0`;
  }
  const [mantissa = '', exponent = ''] = value.toExponential().split('e');
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** Compares by code point, as Python sorts strings. */
function byCodePoint(a: string, b: string): number {
  const left = [...a];
  const right = [...b];
  for (let index = 0; index < Math.min(left.length, right.length); index++) {
    const difference = (left[index]?.codePointAt(0) ?? 0) - (right[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

function pythonValue(value: unknown, depth: number): string {
  if (depth > MAX_CANONICAL_DEPTH) throw new CanonicalisationError(`nested deeper than ${MAX_CANONICAL_DEPTH}`);
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return pythonFloat(value);
  if (typeof value === 'string') return pythonString(value);
  if (Array.isArray(value)) return `[${value.map((item) => pythonValue(item, depth + 1)).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((key) => record[key] !== undefined)
      .sort(byCodePoint)
      .map((key) => `${pythonString(key)}:${pythonValue(record[key], depth + 1)}`);
    return `{${members.join(',')}}`;
  }
  throw new CanonicalisationError(`a ${typeof value} has no JSON form`);
}

/**
 * The JSON text Python's `json.dumps` (compact separators, sorted keys) gives for a card's proto form.
 *
 * @throws {CanonicalisationError} for non-finite numbers, non-JSON values, or nesting deeper than {@link MAX_CANONICAL_DEPTH}.
 */
export function pythonJson(value: unknown): string {
  return pythonValue(value, 0);
}
