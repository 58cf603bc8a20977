/**
 * The byte forms a card signature may have been made over, and what each leaves uncovered.
 *
 * Signers disagree on the bytes of a card: the specification (section 8.4.1) strips default values
 * by the proto's field-presence rules and keeps unknown fields ({@link signingFormOf}); the official
 * SDKs (`@a2a-js/sdk` 1.3's `canonicalizeAgentCard`, and the Python `a2a-sdk` helper it copies)
 * round-trip the card through their proto, which drops every field it does not know, then remove
 * every empty string, list and object, however deep, `params` and map entries included; the JS SDK
 * writes the result as RFC 8785 text, the Python one as Python's `json.dumps` writes it
 * (`python-json.ts`); a plain signer canonicalises the card as it is (RFC 8785 alone). The
 * verifier tries each form.
 *
 * A form that drops content is only safe when what it drops means nothing to a reader: otherwise
 * one could change that content after signing and the signature would still verify. So each form
 * comes with the paths of the card it does not cover ({@link uncoveredPaths}); a form may vouch for
 * a card only when that list is empty. Dropping is harmless only for a *field* whose value is empty
 * or default (`null`, `false`, `0`, `""`, `[]`, `{}`, or a known message made only of such fields).
 * Entries of lists and maps, and members of free-form values (`params`, an unknown field's object),
 * are data: dropping one, even an empty one, changes what the card says (an empty scope list under
 * a scheme name still names the scheme a client must use), so such a form does not vouch for it.
 */
import { canonicalJson, signingFormOf, strippedCard, specTableOf } from './card-canonical.js';
import { SDK_CARD_V1, type Fields, type Shape } from './card-fields.js';
import { pythonJson } from './python-json.js';

/** The name of a signing form, as records show which one verified. */
export type SigningFormName = 'a2a-spec' | 'a2a-sdk' | 'a2a-python' | 'jcs';

/** One way of turning a card into the bytes a signature covers. */
interface SigningForm {
  name: SigningFormName;
  /** The signed JSON value of a card (without `signatures`). */
  of(card: Record<string, unknown>): unknown;
  /** That value as the signed text. */
  text(value: unknown): string;
}

/** A candidate payload: a form's canonical bytes for one card, and what of the card it leaves out. */
export interface CandidatePayload {
  form: SigningFormName;
  payload: Uint8Array;
  /** Paths of the card whose content the form does not cover; empty when it covers everything a reader sees. */
  uncovered: string[];
}

type Json = Record<string, unknown>;

function isPlainObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The SDKs' pass over their proto JSON: empty strings, lists and objects and `null` removed at every depth. */
function withoutEmpties(value: unknown): unknown {
  if (value === '' || value === null || value === undefined) return undefined;
  if (Array.isArray(value)) {
    const items = value.map(withoutEmpties).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (!isPlainObject(value)) return value;
  const members = Object.entries(value)
    .map(([key, member]) => [key, withoutEmpties(member)] as const)
    .filter(([, member]) => member !== undefined);
  return members.length > 0 ? Object.fromEntries(members) : undefined;
}

/** The official SDKs' form: the card as their proto knows it (unknown fields dropped), then empties removed. */
function sdkFormOf(card: Json): unknown {
  return withoutEmpties(strippedCard(card, SDK_CARD_V1, 'drop')) ?? {};
}

/** RFC 8785 alone: the card without `signatures`, nothing stripped. */
function verbatimFormOf(card: Json): unknown {
  const { signatures: _ignored, ...unsigned } = card;
  return unsigned;
}

/** The forms tried, in order: the specification's first, so it is the one recorded when several agree. */
const FORMS: readonly SigningForm[] = [
  { name: 'a2a-spec', of: signingFormOf, text: canonicalJson },
  { name: 'a2a-sdk', of: sdkFormOf, text: canonicalJson },
  { name: 'a2a-python', of: sdkFormOf, text: pythonJson },
  { name: 'jcs', of: verbatimFormOf, text: canonicalJson },
];

/**
 * The distinct payloads a signature over `card` may cover, one per form (a form giving the same
 * bytes as an earlier one is left out), each with what it does not cover.
 *
 * @throws {CanonicalisationError} when the card has no canonical form.
 */
export function candidatePayloads(card: Json): CandidatePayload[] {
  const seen = new Set<string>();
  const candidates: CandidatePayload[] = [];
  for (const form of FORMS) {
    const signed = form.of(card);
    const text = form.text(signed);
    if (seen.has(text)) continue;
    seen.add(text);
    candidates.push({ form: form.name, payload: new TextEncoder().encode(text), uncovered: uncoveredPaths(card, signed) });
  }
  return candidates;
}

/** Stands for content a form left out. */
const ABSENT = Symbol('absent');

/** Most paths reported for one form: enough to say what is wrong, bounded for the record. */
const MAX_PATHS = 8;

function childPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$-]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

function isEmptyValue(value: unknown): boolean {
  if (value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  return isPlainObject(value) && Object.keys(value).length === 0;
}

/** Whether a field may be left out without changing what the card says: its value is empty or default. */
function isDroppableField(value: unknown, shape: Shape | undefined): boolean {
  if (isEmptyValue(value)) return true;
  if (shape?.kind !== 'message' || !isPlainObject(value)) return false;
  const fields = shape.fields;
  return Object.entries(value).every(([key, member]) => isDroppableField(member, Object.hasOwn(fields, key) ? fields[key]?.shape : undefined));
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * Walks the card beside the signed value. `shape` is the field's shape in the specification's table,
 * or undefined for an unknown field or a free-form value.
 */
function compare(value: unknown, signed: unknown, shape: Shape | undefined, path: string, out: string[]): void {
  if (out.length >= MAX_PATHS) return;
  if (signed === ABSENT) {
    if (!isDroppableField(value, shape)) out.push(path);
  } else if (shape?.kind === 'message' && isPlainObject(value) && isPlainObject(signed)) {
    compareMessage(value, signed, shape.fields, path, out);
  } else if (shape?.kind === 'repeated' && Array.isArray(value) && Array.isArray(signed) && value.length === signed.length) {
    value.forEach((item, index) => compare(item, signed[index], shape.of, `${path}[${index}]`, out));
  } else if (shape?.kind === 'map' && isPlainObject(value) && isPlainObject(signed) && sameKeys(value, signed)) {
    for (const [key, entry] of Object.entries(value)) compare(entry, signed[key], shape.of, childPath(path, key), out);
  } else if (!sameJson(value, signed)) {
    out.push(path);
  }
}

function sameKeys(a: Json, b: Json): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key));
}

function compareMessage(value: Json, signed: Json, fields: Fields, path: string, out: string[]): void {
  for (const [key, member] of Object.entries(value)) {
    const rule = Object.hasOwn(fields, key) ? fields[key] : undefined;
    compare(member, Object.hasOwn(signed, key) ? signed[key] : ABSENT, rule?.shape, childPath(path, key), out);
  }
  for (const key of Object.keys(signed)) {
    if (!Object.hasOwn(value, key) && out.length < MAX_PATHS) out.push(childPath(path, key));
  }
}

/**
 * The paths (such as `$.securityRequirements[0]`) where `signed`, a form of `card`, differs from the
 * card in content a reader sees: content changed or added, and content left out that is not an
 * empty or default field. Empty when the form covers the card. At most {@link MAX_PATHS}.
 */
export function uncoveredPaths(card: Json, signed: unknown): string[] {
  const { signatures: _ignored, ...unsigned } = card;
  const out: string[] = [];
  compare(unsigned, signed, specTableOf(card), '$', out);
  return out;
}
